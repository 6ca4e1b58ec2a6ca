"""Who may call the inbox API, and which conversation they may touch.

The same endpoints serve API clients (bearer JWT) and the browser inbox (session cookie), so the inbox
page needs no second API. `api_user_required` accepts either: a request with an `Authorization` header is
judged by the token alone (and needs no CSRF token: a browser never adds that header by itself); any
other request must carry a fully logged-in session cookie (2FA done, not idle) and, when it changes
something, the CSRF token in `X-CSRFToken`, because a browser attaches cookies to forged requests too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from flask.typing import ResponseReturnValue
from flask.wrappers import Response

from models import lifecycle
from models import outbox_ops as topics
from models.conversation import Conversation
from models.enums import ConversationStatus
from models.outbox import OutboxEvent
from models.permissions import Action, can_act, can_view, has_inbox
from models.scoping import ScopedSession
from models.user import User
from niochat import logging as nlog
from web.api.auth import api_auth_required
from web.api.errors import ApiError, conversation_not_found, forbidden
from web.auth.context import AuthState, current_team_ids, current_user, optional_user, tenant_session
from web.auth.session import authenticate
from web.extensions import csrf
from web.requests import error_body
from web.services import services

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unauthorized(code: str, message: str) -> Response:
    response = error_body(401, code, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="niochat"'
    return response


def _session_refusal() -> Response | None:
    """Authenticate by the session cookie (the /api/ prefix skips the app-wide cookie check)."""
    if g.get("auth_via") is None:
        authenticate()
    user, state = optional_user(), g.get("auth_state")
    if user is None:
        return _unauthorized(
            "unauthorized", "Faça login ou envie o token de acesso: Authorization: Bearer <token>."
        )
    if state is AuthState.NEEDS_2FA:
        return _unauthorized("2fa_required", "Conclua a verificação em duas etapas para continuar.")
    if state is AuthState.NEEDS_ENROLLMENT:
        return error_body(
            403,
            "2fa_enrollment_required",
            "Sua empresa exige verificação em duas etapas: ative-a em Minha conta.",
        )
    return None


def _inbox_users_only(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        user = current_user()
        if not has_inbox(user):
            return error_body(
                403, "forbidden", "Este usuário não tem caixa de entrada (o superadmin usa o painel)."
            )
        nlog.bind(tenant_id=user.tenant_id)
        current_team_ids()  # loaded now, not from inside a view's open transaction (a second connection)
        return view(*args, **kwargs)

    return cast(F, wrapper)


def api_user_required(view: F) -> F:
    """Bearer token or logged-in browser session; only users with an inbox (not the superadmin)."""
    checked = _inbox_users_only(view)
    via_token = api_auth_required(checked)

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if "Authorization" in request.headers:
            return via_token(*args, **kwargs)
        refused = _session_refusal()
        if refused is not None:
            return refused
        if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # CSRFError → 400 csrf_failed (web.auth)
        return checked(*args, **kwargs)

    return cast(F, wrapper)


@contextmanager
def writing() -> Iterator[ScopedSession]:
    """A tenant session whose outbox rows are handed to the relay right after commit, as the webhooks do,
    so the other agents' screens update and outgoing messages leave without waiting for the sweeper."""
    with tenant_session() as session:
        yield session
        session.flush()
        found = [obj for obj in session.identity_map.values() if isinstance(obj, OutboxEvent)]
        ids = sorted({event.id for event in [*found, *session.info.pop(topics.RECORDED, [])]})
    services().relay.submit(ids)


_TAKE_CONFLICTS = {  # (code, message) as lifecycle.take words them
    ConversationStatus.OPEN: ("already_taken", "Outro atendente já assumiu esta conversa."),
    ConversationStatus.CLOSED: ("closed", "Conversa encerrada: reabra antes de atribuir."),
}


def _take_conflict(status: ConversationStatus) -> ApiError:
    return ApiError(409, *_TAKE_CONFLICTS[status])


def _lost_the_race(user: User, conv: Conversation, team_ids: frozenset[int]) -> bool:
    """Someone else took a conversation this agent was shown as waiting: that is a conflict to explain
    ("already taken"), not a 404, even though the agent may no longer see it."""
    return (
        has_inbox(user)
        and conv.status == ConversationStatus.OPEN
        and conv.assignee_id not in (None, user.id)
        and (conv.team_id is None or conv.team_id in team_ids)
    )


def conversation_for(
    session: ScopedSession, conversation_id: int, action: Action | None = None, *, lock: bool = False
) -> Conversation:
    """The conversation if the user may see it (404 otherwise) and do `action` (403 otherwise).
    `lock` takes the row lock first, so the check and the change see the same state."""
    user, team_ids = current_user(), current_team_ids()
    conv: Conversation | None
    if lock:
        try:
            conv = lifecycle.lock(session, conversation_id)
        except LookupError:
            conv = None
    else:
        conv = session.get(Conversation, conversation_id)
    if conv is None or conv.tenant_id != user.tenant_id:
        raise conversation_not_found()
    nlog.bind(conversation_id=conv.id)
    if not can_view(user, conv, team_ids):
        if action is Action.TAKE and _lost_the_race(user, conv, team_ids):
            raise _take_conflict(ConversationStatus.OPEN)
        raise conversation_not_found()
    if action is not None and not can_act(user, conv, action, team_ids):
        if action is Action.TAKE and conv.status in (ConversationStatus.OPEN, ConversationStatus.CLOSED):
            # An agent may take any waiting conversation they see; refused otherwise only for its state,
            # which is a conflict to explain, not a permission problem.
            raise _take_conflict(conv.status)
        raise forbidden()
    return conv
