"""Errors of the API views as exceptions, answered in the one JSON shape (`web.requests.error_body`).

Views and their helpers raise instead of returning early, so a permission or validation failure deep in a
helper cannot be forgotten on the way up, and the transaction around the view rolls back by itself.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.wrappers import Response

from models.lifecycle import TransitionError
from web.requests import error_body

# Transition refusals that are about the conversation's current state (the request itself was fine,
# so retrying after a refresh may succeed): 409. Every other code is about the request: 422.
CONFLICT_CODES = frozenset(
    {
        "already_taken",
        "already_assigned",
        "already_closed",
        "closed",
        "not_closed",
        "not_bot",
        "other_open",
        "window_closed",
        "not_snoozable",
        "not_snoozed",
        "agent_away",
    }
)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def not_found(message: str = "Recurso não encontrado.") -> ApiError:
    return ApiError(404, "not_found", message)


def conversation_not_found() -> ApiError:
    """The same answer for "does not exist", "another tenant's" and "you may not see it": ids leak nothing."""
    return not_found("Conversa não encontrada.")


def forbidden(message: str = "Você não tem permissão para esta ação.") -> ApiError:
    return ApiError(403, "forbidden", message)


def invalid(message: str, *fields: str) -> ApiError:
    return ApiError(422, "validation_error", message, fields=list(fields))


def from_transition(exc: TransitionError) -> ApiError:
    status = 409 if exc.code in CONFLICT_CODES else 422
    return ApiError(status, exc.code, exc.message)


def _api_error(exc: ApiError) -> Response:
    return error_body(exc.status, exc.code, exc.message, **exc.extra)


def _transition_error(exc: TransitionError) -> Response:
    return _api_error(from_transition(exc))


def register(bp: Blueprint) -> None:
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(TransitionError, _transition_error)
