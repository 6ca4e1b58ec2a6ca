"""Clients of OpenAI-compatible model servers (OpenAI, Azure, Ollama, vLLM, LiteLLM), no Flask, no tables.

`chat_client` builds the official `openai` client with retries set on purpose: the client's default
(two retries, honouring `retry-after`) can hold a customer's answer for a minute on a 429; one retry
with a short timeout, then the attendant hands off politely.
"""

from __future__ import annotations

import openai

from integrations.tls import ssl_context

MAX_RETRIES = 1
TIMEOUT_SECONDS = 20.0


def chat_client(
    *,
    api_key: str,
    base_url: str | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_retries: int = MAX_RETRIES,
) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=api_key,
        base_url=base_url or None,
        timeout=timeout,
        max_retries=max_retries,
        http_client=openai.DefaultHttpxClient(verify=ssl_context()),
    )


# What the engine treats as "the model is unavailable" (after the client's own retry): hand off.
UNAVAILABLE = (
    openai.RateLimitError,
    openai.APIConnectionError,
    openai.APITimeoutError,
    openai.InternalServerError,
    openai.AuthenticationError,
    openai.PermissionDeniedError,
    openai.NotFoundError,
    openai.BadRequestError,
    openai.APIStatusError,
)
