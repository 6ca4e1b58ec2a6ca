"""After a change to what a user may see, their open sockets must follow it.

A user's Socket.IO rooms are computed when a socket connects (web/realtime.py): their role, teams and
activation at that moment. Whoever changes one of those (team membership here and in the API and CLI;
roles and deactivation in the back office to come) calls `access_changed` in the same transaction. It
records an outbox row, so the sockets are dealt with only once the change is committed, from whatever
process relays it (jobs/room_access.py): each socket of the user is ended with `session.ended`, telling
the page to reconnect, which gives it the rooms the user has now, or, for a user who has no inbox any
more (deactivated, superadmin), to reload into the login page.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import outbox_ops as topics


def access_changed(session: Session, tenant_id: int | None, user_id: int) -> None:
    """Call in the transaction that changed the user's role, teams or activation."""
    topics.record(session, tenant_id, topics.USER_ACCESS, user_id=user_id)
