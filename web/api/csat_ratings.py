"""CSAT ratings as the inbox shows them: one conversation's, and a contact's latest.

Read-only; the survey list with filters (`/csat/surveys`) belongs to the sending side. Tenant-scoped by
the session; a conversation is read only where `conversation_for` lets this user see it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify
from flask.typing import ResponseReturnValue

from models.csat import CsatResponse, CsatSurvey
from models.csat_answers import CsatCapture, rating_of
from models.serialize import iso
from web.api import api_bp
from web.api.access import api_user_required, conversation_for
from web.api.contacts import contact_or_404
from web.auth.context import tenant_session

CONTACT_RATINGS = 10


@api_bp.get("/conversations/<int:conversation_id>/csat")
@api_user_required
def conversation_csat(conversation_id: int) -> ResponseReturnValue:
    """The conversation's survey and rating, or null when it had none."""
    with tenant_session() as session:
        conv = conversation_for(session, conversation_id)
        return jsonify(rating_of(session, conv.id))


@api_bp.get("/contacts/<int:contact_id>/csat")
@api_user_required
def contact_csat(contact_id: int) -> ResponseReturnValue:
    """The contact's latest ratings, newest first, for the contact panel."""
    with tenant_session() as session:
        contact = contact_or_404(session, contact_id)
        rows = session.execute(
            sa.select(
                CsatSurvey.conversation_id,
                CsatSurvey.answered_at,
                CsatResponse,
                CsatCapture.alerted_at,
                CsatCapture.recovered_at,
            )
            .join(CsatResponse, CsatResponse.survey_id == CsatSurvey.id)
            .outerjoin(CsatCapture, CsatCapture.survey_id == CsatSurvey.id)
            .where(CsatSurvey.contact_id == contact.id)
            .order_by(CsatSurvey.answered_at.desc().nulls_last(), CsatSurvey.id.desc())
            .limit(CONTACT_RATINGS)
        ).all()
        items = [
            {
                "conversation_id": conversation_id,
                "score": response.score,
                "comment": response.comment,
                "themes": list(response.themes),
                "answered_at": iso(answered_at),
                "alerted": alerted_at is not None,
                "recovered": recovered_at is not None,
            }
            for conversation_id, answered_at, response, alerted_at, recovered_at in rows
        ]
        return jsonify({"items": items})
