"""Sentiment of one customer message: a pt-BR lexicon with negation scope, intensifiers and emoji.

Offline and explainable on purpose: hand-off uses it now ("cliente irritado" goes to a human sooner) and
the dashboards will chart it, so a supervisor must be able to see why a message counted as negative.
Rules: a lexicon word scores ±1 (±2 for strong words); "não/nunca/nem/sem" flips the next three words
("não estou feliz" is negative, "não é ruim" mildly positive); "muito/super/demais" amplify; every "!"
after the first and ALL-CAPS words add intensity to whatever polarity the message has; emoji count like
words; profanity is negative whatever surrounds it. The sum is squashed to -1..1.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from assistant.nlu.normalize import normalize

Label = Literal["positive", "neutral", "negative"]


@dataclass(frozen=True)
class Sentiment:
    label: Label
    score: float  # -1 (very negative) .. 1 (very positive)


POSITIVE: dict[str, float] = {
    "obrigado": 1, "valeu": 1, "agradeco": 1, "otimo": 2, "otima": 2, "excelente": 2, "perfeito": 2,
    "perfeita": 2, "maravilha": 2, "maravilhoso": 2, "maravilhosa": 2, "bom": 1, "boa": 0.5, "bem": 0.5,
    "legal": 1, "show": 1.5, "top": 1.5, "massa": 1, "feliz": 1.5, "satisfeito": 1.5, "satisfeita": 1.5,
    "adorei": 2, "amei": 2, "gostei": 1.5, "resolveu": 1.5, "resolvido": 1.5, "resolvida": 1.5,
    "funcionou": 1.5, "funcionando": 1, "funciona": 0.5, "voltou": 1, "rapido": 1, "rapida": 1,
    "eficiente": 1.5, "atencioso": 1.5, "atenciosa": 1.5, "parabens": 2, "beleza": 0.5, "tranquilo": 0.5,
    "sucesso": 1, "incrivel": 2, "sensacional": 2, "ajudou": 1.5, "educado": 1, "educada": 1,
    "recomendo": 1.5, "melhor": 1, "gentil": 1.5, "amo": 1.5, "agradecido": 1,
    "estavel": 1, "certinho": 1, "joia": 1, "ufa": 1, "aleluia": 1,
}  # fmt: skip
NEGATIVE: dict[str, float] = {
    "ruim": 1.5, "pessimo": 2, "pessima": 2, "horrivel": 2, "horroroso": 2, "lixo": 2, "porcaria": 2,
    "merda": 2, "absurdo": 2, "absurda": 2, "palhacada": 2, "vergonha": 2, "descaso": 2, "raiva": 2,
    "irritado": 2, "irritada": 2, "chateado": 1.5, "chateada": 1.5, "triste": 1.5, "insatisfeito": 2,
    "insatisfeita": 2, "decepcionado": 2, "decepcionada": 2, "decepcao": 2, "lento": 1, "lenta": 1,
    "caiu": 1, "cai": 1, "caindo": 1, "travando": 1, "trava": 1, "oscilando": 1, "problema": 1,
    "problemas": 1, "defeito": 1, "reclamacao": 1, "reclamar": 1, "procon": 2, "processar": 2,
    "cansado": 1.5, "cansada": 1.5, "cansei": 2, "demora": 1, "demorando": 1, "demorado": 1,
    "esperando": 0.5, "ninguem": 1, "nunca": 0.5, "enrolacao": 2, "enrolando": 2, "mentira": 2,
    "roubo": 2, "ladrao": 2, "ladroes": 2, "safado": 2, "safados": 2, "ridiculo": 2, "ridicula": 2,
    "inaceitavel": 2, "indignado": 2, "indignada": 2, "odeio": 2, "odiei": 2, "pior": 1.5,
    "prejuizo": 1.5, "urgente": 1, "urgencia": 1, "desrespeito": 2, "falha": 1, "erro": 1,
    "cancelar": 0.5, "cobrando": 0.5, "caro": 1, "pessimos": 2, "infelizmente": 1, "aff": 1.5,
    "affs": 1.5, "pqp": 2, "porra": 2, "caralho": 2, "droga": 1.5, "inferno": 2, "bosta": 2,
    "desgraca": 2, "lixos": 2, "fdp": 2, "vsf": 2, "nervoso": 1.5, "nervosa": 1.5, "estressado": 1.5,
    "sacanagem": 2, "dificil": 1, "impossivel": 1, "cortaram": 1, "prejudicado": 1.5,
    "prejudicada": 1.5, "perdi": 1, "perdendo": 1, "preocupado": 1, "preocupada": 1,
}  # fmt: skip
PROFANITY = frozenset({"porra", "caralho", "merda", "bosta", "fdp", "vsf", "pqp", "desgraca", "puta"})
EMOJI: dict[str, float] = {
    "😀": 1, "😃": 1, "😄": 1, "😁": 1, "😊": 1, "🙂": 0.5, "😍": 2, "🥰": 2, "😘": 1, "❤": 1.5,
    "❤️": 1.5, "💙": 1, "💚": 1, "👍": 1, "👏": 1.5, "🙏": 1, "✅": 0.5, "🎉": 1.5, "😎": 1, "🤩": 2,
    "👌": 1, "💪": 1, "🥳": 1.5, "😉": 0.5, "😂": 0.5, "🤣": 0.5, "😆": 0.5,
    "😡": -2, "🤬": -2, "😠": -2, "😤": -1.5, "😞": -1.5, "😔": -1, "😢": -1.5, "😭": -2, "😩": -1.5,
    "😫": -1.5, "😒": -1, "🙄": -1, "👎": -1.5, "💩": -2, "😑": -1, "😐": -0.5, "☹": -1.5, "🙁": -1,
    "😕": -1, "😓": -1, "😖": -1.5, "🤦": -1, "🤡": -1.5, "😣": -1,
}  # fmt: skip
NEGATORS = frozenset({"nao", "nunca", "nem", "jamais", "sem", "nenhum", "nenhuma", "ninguem"})
INTENSIFIERS: dict[str, float] = {
    "muito": 1.5, "muita": 1.5, "super": 1.5, "demais": 1.5, "bastante": 1.3, "totalmente": 1.5,
    "extremamente": 2, "tao": 1.3, "mega": 1.3, "bem": 1.2, "mais": 1.2, "completamente": 1.5,
    "absurdamente": 2, "pra caramba": 1.5, "pra caralho": 2, "ridiculamente": 1.5,
}  # fmt: skip
# "sem" flips praise ("sem problema" is fine) but "sem internet" is bad news, said without any lexicon word.
COMPLAINT_PHRASES: dict[str, float] = {
    "sem internet": 1, "sem sinal": 1, "sem conexao": 1, "nao funciona": 1, "nao esta funcionando": 1,
    "nao resolve": 1.5, "nao resolveram": 1.5, "ninguem resolve": 2, "ninguem responde": 2,
    "de novo": 0.5, "toda hora": 1, "todo dia": 0.5, "varias vezes": 1, "ja faz": 0.5, "dias sem": 1.5,
    "nao aguento": 2, "vou cancelar": 1.5, "quero cancelar": 1, "falta de respeito": 2,
    "nao presta": 2, "pago caro": 1.5, "mal atendido": 2, "mal atendida": 2,
}  # fmt: skip
_SCOPE = 3
_GREETINGS = re.compile(r"\b(?:bom dia|boa tarde|boa noite|tudo bem|tudo bom)\b")  # politeness, not mood
_WORD = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")


def _caps_ratio(text: str) -> float:
    words = [w for w in re.findall(r"[A-Za-zÀ-ÿ]{3,}", text)]
    return sum(w.isupper() for w in words) / len(words) if words else 0.0


def _lexicon_score(words: list[str]) -> tuple[float, bool]:
    score, profane, negated_until, boost = 0.0, False, -1, 1.0
    for i, word in enumerate(words):
        if word in PROFANITY:
            profane = True
        if word in NEGATORS:
            negated_until = i + _SCOPE
            continue
        if word in INTENSIFIERS:
            boost = INTENSIFIERS[word]
            continue
        value = POSITIVE.get(word, 0.0) - NEGATIVE.get(word, 0.0) + EMOJI.get(word, 0.0)
        if value:
            if i <= negated_until and word not in EMOJI:
                # "não é ruim" is faint praise; "não estou feliz" is a complaint
                value = -value if value > 0 else -value * 0.5
            score += value * boost
        boost = 1.0
    return score, profane


def sentiment(text: str) -> Sentiment:
    """Label and score (-1..1) of `text`; "não estou feliz" is negative, "😡" too, "obrigado!!" positive."""
    norm = _GREETINGS.sub(" ", normalize(text))
    words = _WORD.findall(norm)
    score, profane = _lexicon_score(words)
    for phrase, weight in COMPLAINT_PHRASES.items():
        if phrase in norm:
            score -= weight
    exclaims = text.count("!")
    intensity = 1.0 + 0.15 * min(max(exclaims - 1, 0), 4) + (0.6 if _caps_ratio(text) > 0.6 else 0.0)
    score *= intensity
    if profane:
        score = min(score, -2.0)
    value = math.tanh(score / 2.5)
    label: Label = "positive" if value >= 0.25 else "negative" if value <= -0.25 else "neutral"
    return Sentiment(label, round(value, 3))
