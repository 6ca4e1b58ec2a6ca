"""The caller's availability (Online / Ausente), chosen in the inbox header (`models.availability`)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from models import availability
from models.enums import Availability
from models.user import User
from web.api import api_bp
from web.api.access import api_user_required, writing
from web.api.errors import invalid
from web.api.params import body_str, json_object
from web.auth.context import current_user


@api_bp.put("/me/availability")
@api_user_required
def set_availability() -> ResponseReturnValue:
    """Only for oneself: nobody sets a colleague's status. Colleagues' screens get `user.availability`."""
    value = body_str(json_object(), "availability", max_length=16, required=True)
    if value not in set(availability.SETTABLE):
        raise invalid("availability deve ser online ou away.", "availability")
    with writing() as session:
        user = session.get(User, current_user().id)
        assert user is not None  # the request's own user
        availability.set_availability(session, user, Availability(value))
        result = {"user_id": user.id, "availability": user.availability}
    return jsonify(result)
