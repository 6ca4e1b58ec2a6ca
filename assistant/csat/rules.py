"""Offline interpretation of a CSAT reply: tapped options, digits, emoji, rating words, and what is not one.

The honest part is saying "this is not a rating": after a survey a customer often just writes their next
problem ("minha internet caiu de novo", a CPF, "o técnico vem que horas?"). That must open a conversation,
so a request recognised by the attendant's NLU, a question, or a document number wins over any loose
rating word; only a leading digit ("2. não resolveram nada") or a tapped option is a rating whatever
follows. Order of evidence: button, leading number, the survey's own emoji, rating words (with negation
and intensity), other emoji, then evaluative free text scored by sentiment (`explicit` False: a model
engine may do better).
"""

from __future__ import annotations

import re
import unicodedata

from assistant.csat.interpretation import By, Interpretation, SentimentLabel
from assistant.csat.themes import themes
from assistant.nlu import classify, normalize, sentiment

BUTTON = re.compile(r"^\s*csat[:_](\d)\s*$")
# A long message is a conversation, not a rating reply.
MAX_WORDS = 40

REQUEST_INTENTS = frozenset(
    {"fatura", "sem_conexao", "desbloqueio", "atendente", "contratar", "cancelamento", "comprovante"}
    | {"chamado"}
)
REQUEST_CONFIDENCE = 0.5

# The survey's legend first (😡 1 · 😕 2 · 😐 3 · 🙂 4 · 🤩 5), then what people send instead.
EMOJI_SCORES: dict[str, int] = {
    "😡": 1, "😕": 2, "😐": 3, "🙂": 4, "🤩": 5,
    "🤬": 1, "😠": 1, "👎": 1, "💩": 1, "😤": 1,
    "😞": 2, "😔": 2, "🙁": 2, "☹": 2, "😒": 2, "😢": 2, "😩": 2, "😟": 2,
    "😶": 3, "😑": 3, "🤷": 3,
    "😊": 4, "😀": 4, "😃": 4, "😄": 4, "👌": 4, "☺": 4,
    "👍": 5, "❤": 5, "😍": 5, "🥰": 5, "👏": 5, "💯": 5, "🔝": 5, "🏆": 5, "💙": 5, "💚": 5, "😁": 5,
}  # fmt: skip
LEGEND = frozenset("😡😕😐🙂🤩")
STARS = frozenset("⭐🌟")
_MODIFIERS = re.compile("[\ufe0f\ufe0e\u200d\U0001f3fb-\U0001f3ff]")
_KEYCAP = re.compile("([0-9])\ufe0f?\u20e3")

# Rating words on folded text (normalize: no accents, "mt" -> "muito"). Phrases before single words.
_WORDS: dict[str, int] = {
    "excelente": 5, "otimo": 5, "otima": 5, "otimos": 5, "otimas": 5, "perfeito": 5, "perfeita": 5,
    "maravilhoso": 5, "maravilhosa": 5, "sensacional": 5, "top": 5, "incrivel": 5, "amei": 5,
    "adorei": 5, "espetacular": 5, "impecavel": 5, "fantastico": 5, "nota mil": 5, "show": 5,
    "show de bola": 5, "parabens": 5, "nada a reclamar": 5, "nao tenho do que reclamar": 5,
    "bom": 4, "boa": 4, "bons": 4, "gostei": 4, "satisfeito": 4, "satisfeita": 4, "legal": 4,
    "bacana": 4, "satisfatorio": 4, "bao": 4, "tranquilo": 4,
    "regular": 3, "razoavel": 3, "mais ou menos": 3, "mediano": 3, "meh": 3, "nem bom nem ruim": 3,
    "poderia ser melhor": 3, "podia ser melhor": 3, "poderia melhorar": 3,
    "ruim": 2, "fraco": 2, "fraca": 2, "insatisfeito": 2, "insatisfeita": 2, "deixou a desejar": 2,
    "chato": 2, "demorado": 2,
    "pessimo": 1, "pessima": 1, "horrivel": 1, "lixo": 1, "porcaria": 1, "terrivel": 1,
    "decepcionante": 1, "vergonha": 1, "ridiculo": 1,
}  # fmt: skip
_TYPOS = {"exelente": "excelente", "excelent": "excelente", "ecelente": "excelente", "otmo": "otimo",
          "otimu": "otimo", "pesimo": "pessimo", "pessmo": "pessimo", "orrivel": "horrivel",
          "horivel": "horrivel", "boom": "bom", "bommm": "bom", "satisfatoria": "satisfatorio"}  # fmt: skip
_WORD_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)) + r")\b")
_NEGATION = frozenset({"nao", "nada", "nem", "nunca", "jamais"})
_STRONG = frozenset({"muito", "super", "mega", "bem", "extremamente", "demais", "muitissimo", "tao"})
_NUMBER_WORDS = {"zero": 0, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5,
                 "dez": 10}  # fmt: skip
_GREETINGS = re.compile(r"\b(?:bom dia|boa tarde|boa noite|tudo bom|tudo bem|tudo certo\s*\?)\b")
_PREFIX = (
    r"(?:(?:eu\s+)?(?:minha\s+)?nota(?:\s+e)?|(?:eu\s+)?dou(?:\s+nota)?|(?:eu\s+)?daria(?:\s+nota)?"
    r"|avalio(?:\s+com)?|acho\s+que|acho|fica|:)"
)
_NUMBER = re.compile(
    rf"^(?P<prefix>(?:{_PREFIX}\s*)*)(?P<n>\d{{1,2}}|{'|'.join(_NUMBER_WORDS)}|mil)(?P<rest>.*)$"
)
_NOTA_INSIDE = re.compile(r"(?P<prefix>\bnota\s+)(?P<n>\d{1,2}|mil)(?P<rest>\b.*)$")
_SCALE = re.compile(r"^\s*(?:/\s*5|/\s*10|de\s+5|de\s+10|estrelas?|⭐)")
_RATING_NOUN_AFTER = re.compile(
    r"^\s*(?:via|horas?|dias?|mega|megas|reais|mb|giga|vezes|meses|anos|minutos)\b"
)
_QUESTION = re.compile(r"\?")
_DOCUMENT = re.compile(r"\d[\d.\-/ ]{6,}\d")
_REQUEST_VERBS = re.compile(
    r"\b(?:quero|queria|preciso|precisava|manda|mande|me passa|pode|podem|poderia me|tem como|como faco"
    r"|segunda via|boleto|fatura|pix|comprovante|desbloque\w*|liberacao|cancelar|contratar|mudar|trocar)\b"
)
_SERVICE = re.compile(
    r"\b(?:atendiment\w*|atendente|atenderam|atendeu|atender\w*|moca|rapaz|menina|moco|voces|voce|equipe|"
    r"resolv\w*|demor\w*|educad\w*|atencios\w*|gross\w*|responder|ajud\w*|reclamar|fofa|tecnico)\b"
)


def interpret(text: str, reply_id: str | None = None) -> Interpretation:
    """The offline reading of one reply; `reply_id` is a tapped list/button option, if any."""
    if reply_id and (tapped := BUTTON.match(reply_id)) and 1 <= int(tapped.group(1)) <= 5:
        return _answer(int(tapped.group(1)), "button", text, explicit=True)
    raw = _KEYCAP.sub(r"\1", _MODIFIERS.sub("", unicodedata.normalize("NFC", text or ""))).strip()
    if not raw:
        return Interpretation(False)
    norm = " ".join(_TYPOS.get(token, token) for token in normalize(raw).split())
    number = _number(norm)
    if number is not None:
        return _answer(number, "number", raw, explicit=True)
    request = _is_request(raw, norm)
    if request:
        return Interpretation(False, request=True, sentiment=sentiment(raw).label)
    if len(norm.split()) > MAX_WORDS:
        return Interpretation(False)
    legend = [EMOJI_SCORES[c] for c in raw if c in LEGEND]
    if legend:
        return _answer(legend[0], "emoji", raw, explicit=True)
    words = _words(_GREETINGS.sub(" ", norm))
    if words is not None:
        return _answer(words, "words", raw, explicit=True)
    emoji = _emoji(raw)
    if emoji is not None:
        return _answer(emoji, "emoji", raw, explicit=True)
    free = _free_text(raw, norm)
    if free is not None:
        return _answer(free, "words", raw, explicit=False)
    return Interpretation(False, sentiment=sentiment(raw).label)


def _answer(score: int, by: By, text: str, *, explicit: bool) -> Interpretation:
    return Interpretation(
        True, score, by, _sentiment(text, score), themes(text) if text else (), explicit=explicit
    )


def _sentiment(text: str, score: int) -> SentimentLabel:
    """The lexicon's verdict when the text has one; a bare rating speaks for itself."""
    label = sentiment(text).label if text else "neutral"
    if label != "neutral":
        return label
    return "positive" if score >= 4 else "negative" if score <= 2 else "neutral"


def _number(norm: str) -> int | None:
    """A rating given as a number at the start ("4", "nota 4", "4 - bom", "dou 5", "10", "3/5")."""
    found = _NUMBER.match(norm) or _NOTA_INSIDE.search(norm)
    if found is None:
        return None
    word, prefix, rest = found.group("n"), found.group("prefix").strip(), found.group("rest")
    if word == "mil":
        return 5 if prefix else None
    if word in _NUMBER_WORDS and not prefix and (word in ("um", "uma") or rest.strip()):
        return None  # "um lixo", "dois dias sem internet": words, not a rating
    value = _NUMBER_WORDS.get(word)
    value = int(word) if value is None else value
    if value > 10 or _RATING_NOUN_AFTER.match(rest):
        return None
    if not prefix and rest.strip() and not _allowed_after(rest):
        return None
    if value > 5 or value == 0:
        return 5 if value >= 9 else 4 if value >= 7 else 3 if value >= 5 else 1 if value <= 2 else 2
    return value


def _allowed_after(rest: str) -> bool:
    """What may follow a bare number for it to still be a rating: a separator, a scale, a rating word."""
    stripped = rest.strip()
    if _SCALE.match(stripped) or stripped[0] in "-–,.:;!)=" or not re.search(r"[a-z0-9]", stripped):
        return True
    return _words(stripped) is not None


def _is_request(raw: str, norm: str) -> bool:
    """A new request rather than a judgement: a question, a document number, a request the NLU knows."""
    if _DOCUMENT.search(raw) or _QUESTION.search(raw):
        return True
    judged = _words(_GREETINGS.sub(" ", norm)) is not None
    if _REQUEST_VERBS.search(norm) and not judged:
        return True
    intent = classify(raw)
    if intent.intent in REQUEST_INTENTS and intent.confidence >= REQUEST_CONFIDENCE:
        return not (judged or _SERVICE.search(norm))
    return False


def _words(norm: str) -> int | None:
    """What the first rating word says, with "não"/"nada" before it and "muito"/"demais" around it."""
    found = _WORD_RE.search(norm)
    if found is None:
        return None
    score = _WORDS[found.group(1)]
    before = norm[: found.start()].split()[-3:]
    after = norm[found.end() :].split()[:1]
    if any(token in _NEGATION for token in before):  # "não foi bom", "nada bom", "não foi ruim"
        return 1 if after == ["nada"] else 2 if score >= 4 else 3
    if any(token in _STRONG for token in before[-2:]) or after == ["demais"]:
        return 5 if score >= 4 else 1 if score <= 2 else score
    return score


def _emoji(raw: str) -> int | None:
    """Stars count; otherwise the first emoji we know the feeling of."""
    stars = sum(1 for c in raw if c in STARS)
    if stars and not re.search(r"[A-Za-z0-9]", raw):
        return min(stars, 5)
    for c in raw:
        if c in EMOJI_SCORES:
            return EMOJI_SCORES[c]
    return None


def _free_text(raw: str, norm: str) -> int | None:
    """A judgement about the service in other words ("a moça foi grossa", "resolveram rapidinho")."""
    if not _SERVICE.search(norm):
        return None
    value = sentiment(raw).score
    complaints = {"atendimento_demorado", "problema_nao_resolvido"} & set(themes(raw))
    if complaints:  # "demorou muito", "não resolveu": a complaint even in neutral words
        value = min(value, -0.3)
    if abs(value) < 0.1:
        return None
    return 5 if value >= 0.75 else 4 if value > 0 else 1 if value <= -0.75 else 2
