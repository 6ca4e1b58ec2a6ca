"""Flask-Admin back office (roadmap item 6): `init_admin(app)` with one tenant-scoped base view.

Not mounted yet: it needs the login and roles of the agent inbox, so `/admin` stays closed until then.
"""
