"""gunicorn entry: `gunicorn --worker-class gthread --workers 1 --threads 64 web.wsgi:app`."""

from web import create_app

app = create_app()
