"""What the customer wants: one of INTENTS, with a confidence the attendant can act on.

Three opinions are combined: the trained model (`model.py`, broad), the high-precision phrases
(`rules.py`, narrow), and the shape of the message: a greeting or a thank-you only wins when nothing
else is asked ("oi bom dia, quero a 2 via" is `fatura`), emoji-only messages are read by their emoji,
and text the model barely recognises ("asdfgh", a message in English) gets a low confidence and falls
to `outro`, so the attendant asks again instead of acting on a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.nlu import rules
from assistant.nlu.model import default_model
from assistant.nlu.normalize import normalize

INTENTS: tuple[str, ...] = (
    "fatura", "sem_conexao", "desbloqueio", "atendente", "contratar", "cancelamento",
    "saudacao", "agradecimento", "comprovante", "chamado", "outro",
)  # fmt: skip
COURTESY = ("saudacao", "agradecimento")
MIN_CONFIDENCE = 0.35  # below this the best guess is reported as `outro`
RULE_WEIGHT = 0.5  # share of the final score the phrases get when any of them matches

_GREETING_START = re.compile(
    r"^(?:oi|bom dia|boa tarde|boa noite|e ai|tudo bem|tudo bom|alo|hey|salve|fala (?:ai|mano|ae)|👋)\b"
)
_EMOJI_INTENT = {
    "👍": "agradecimento", "🙏": "agradecimento", "👏": "agradecimento", "❤": "agradecimento",
    "❤️": "agradecimento", "🥰": "agradecimento", "😍": "agradecimento", "🙌": "agradecimento",
    "👌": "agradecimento", "👋": "saudacao",
}  # fmt: skip


@dataclass(frozen=True)
class IntentResult:
    intent: str
    confidence: float  # 0..1
    scores: dict[str, float]  # every intent of INTENTS, summing to 1


def _rule_scores(norm: str) -> dict[str, float]:
    found = rules.hits(norm)
    if any(intent not in COURTESY for intent in found):
        found = {k: v for k, v in found.items() if k not in COURTESY}
    total = sum(found.values())
    return {k: v / total for k, v in found.items()} if total else {}


def _scores(norm: str) -> dict[str, float]:
    """Blended scores over INTENTS for normalized text."""
    model = default_model()
    ruled = _rule_scores(norm)
    if model is None:
        base = {intent: 0.0 for intent in INTENTS}
        base["outro"] = 1.0 if not ruled else 0.0
        return {i: (ruled.get(i, 0.0) if ruled else base[i]) for i in INTENTS}
    probs = model.probabilities(norm)
    weight = RULE_WEIGHT if ruled else 0.0
    return {i: (1 - weight) * probs.get(i, 0.0) + weight * ruled.get(i, 0.0) for i in INTENTS}


def _emoji_only(norm: str) -> str | None:
    if not norm or re.search(r"[a-z0-9]", norm):
        return None
    marks = [c for c in norm.split() if c not in "!?.,"]
    votes = [_EMOJI_INTENT[m] for m in marks if m in _EMOJI_INTENT]
    if not marks:
        return "outro"
    return max(set(votes), key=votes.count) if votes else "outro"


def _familiarity(norm: str) -> float:
    """1.0 when most words are known or a phrase matched; down to 0.5 for text made of words never seen
    in training, so a guess about "xkcd qwrtz plmn" stays low even when the model's scores are peaked."""
    model = default_model()
    if model is None or rules.hits(norm):
        return 1.0
    return min(1.0, 0.5 + model.known_share(norm))


def _result(scores: dict[str, float], norm: str) -> IntentResult:
    best = max(scores, key=lambda k: scores[k])
    confidence = scores[best] * _familiarity(norm)
    if confidence < MIN_CONFIDENCE and best != "outro":
        return IntentResult("outro", round(confidence, 4), scores)  # low: "I am not sure"
    return IntentResult(best, round(confidence, 4), scores)


HEAD, TAIL = 500, 300  # of a very long message, what is read: its opening and its closing request


def classify(text: str) -> IntentResult:
    """The intent of one customer message."""
    if len(text) > HEAD + TAIL:
        text = f"{text[:HEAD]} {text[-TAIL:]}"
    norm = normalize(text)
    if not norm.strip():
        uniform = {i: 1 / len(INTENTS) for i in INTENTS}
        return IntentResult("outro", round(1 / len(INTENTS), 4), uniform)
    emoji_intent = _emoji_only(norm)
    if emoji_intent is not None:
        confidence = 0.9 if emoji_intent != "outro" else 0.3
        scores = {i: (confidence if i == emoji_intent else (1 - confidence) / 10) for i in INTENTS}
        return IntentResult(emoji_intent, confidence, scores)
    scores = _scores(norm)
    if _GREETING_START.match(norm):
        rest = rules.strip_opening(norm)
        if not rest or not re.search(r"[a-z0-9]", rest):
            scores = {i: (0.95 if i == "saudacao" else 0.05 / 10) for i in INTENTS}
            return IntentResult("saudacao", 0.95, scores)
        rest_scores = _scores(rest)
        best = max(rest_scores, key=lambda k: rest_scores[k])
        if best in ("outro", "saudacao") or rest_scores[best] < MIN_CONFIDENCE:
            # a greeting with small talk after it ("oi, tudo bem? sou a maria"): still a greeting
            scores = {i: rest_scores[i] * 0.3 for i in INTENTS}
            scores["saudacao"] += 0.7
            return _result(scores, rest)
        return _result(rest_scores, rest)
    return _result(scores, norm)
