"""Free-text CSAT replies read by the tenant's model engine, when it has one.

Only replies the offline rules could not decide on explicit evidence reach the model (a tapped option, a
digit, an emoji or a rating word never do): "a moça me ajudou mas demorou" is where a model reads better
than a lexicon. The model answers one JSON object; anything else, or an unreachable server, keeps the
offline reading. Themes always come from the offline list, so dashboards count the same themes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from assistant.context import EngineConfig
from assistant.csat.interpretation import Interpretation
from assistant.csat.rules import interpret
from integrations.llm import UNAVAILABLE, chat_client

log = logging.getLogger(__name__)

PROMPT = (
    "Você classifica respostas de clientes a uma pesquisa de satisfação (CSAT) enviada depois do fim de um "
    "atendimento de um provedor de internet. A pergunta foi: 'Como você avalia o nosso atendimento? "
    "Responda de 1 a 5'. Diga se a mensagem do cliente é uma avaliação do atendimento ou outra coisa (um "
    "novo pedido, uma dúvida, um documento, uma saudação). Responda só com JSON: "
    '{"is_answer": true|false, "score": 1-5 ou null, "sentiment": "positive"|"neutral"|"negative"}.'
)
MODEL_TIMEOUT = 10.0


def interpret_with_model(
    text: str, reply_id: str | None, config: EngineConfig, client: Any = None
) -> Interpretation:
    """The offline reading, replaced by the model's when the rules had no explicit evidence."""
    offline = interpret(text, reply_id)
    if offline.explicit or offline.request or config.engine != "model" or not text.strip():
        return offline
    try:
        client = client or chat_client(
            api_key=config.api_key or "not-needed", base_url=config.base_url, timeout=MODEL_TIMEOUT
        )
        reply = client.chat.completions.create(
            model=config.model or "gpt-4o-mini",
            temperature=0,
            messages=[{"role": "system", "content": PROMPT}, {"role": "user", "content": text[:1000]}],
        )
        verdict = _verdict(reply.choices[0].message.content or "")
    except UNAVAILABLE as exc:
        log.warning("csat model unavailable, offline reading kept: %s", type(exc).__name__)
        return offline
    if verdict is None:
        return offline
    is_answer, score, label = verdict
    if not is_answer or score is None:
        return Interpretation(False, sentiment=label or offline.sentiment, themes=offline.themes)
    return Interpretation(True, score, "ai", label or offline.sentiment, offline.themes)


def _verdict(content: str) -> tuple[bool, int | None, Any] | None:
    """The model's JSON, checked; None when it is not what was asked."""
    start, end = content.find("{"), content.rfind("}")
    try:
        data = json.loads(content[start : end + 1]) if start >= 0 else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("is_answer"), bool):
        return None
    score = data.get("score")
    if not (isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5):
        score = None
    label = data.get("sentiment")
    return data["is_answer"], score, label if label in ("positive", "neutral", "negative") else None
