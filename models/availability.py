"""Agent availability (Online / Ausente): what the agent says about themselves in the inbox header.

It is a choice, not presence (`User.last_seen_at` is presence): an agent at their desk but in a meeting
is Ausente. Colleagues see it live (outbox `user.availability`); a direct transfer or assignment to an
Ausente agent is refused (`models.lifecycle._present`). Nothing assigns conversations automatically
yet (hand-offs and team transfers wait in the team's queue); whatever does must choose only `online`
agents.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import outbox_ops as topics
from models.enums import Availability
from models.user import User

SETTABLE = (Availability.ONLINE, Availability.AWAY)  # offline is the state of nobody-chose / logged out


def set_availability(session: Session, user: User, value: Availability) -> bool:
    """Persist the choice and tell the tenant's screens; False (and no broadcast) when nothing changed."""
    if user.availability == value:
        return False
    user.availability = str(value)
    topics.record(session, user.tenant_id, topics.USER_AVAILABILITY, user_id=user.id, availability=str(value))
    return True
