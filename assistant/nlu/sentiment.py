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


def _table(text: str, *, phrases: bool = False) -> dict[str, float]:
    """Lexicon lines "weight: entry entry ..." -> {entry: weight}; phrase tables separate entries by ","."""
    table: dict[str, float] = {}
    for line in text.strip().splitlines():
        weight, _, entries = line.partition(":")
        items = entries.split(",") if phrases else entries.split()
        table.update((item.strip(), float(weight)) for item in items if item.strip())
    return table


POSITIVE = _table(
    """
    2: otimo otima excelente perfeito perfeita maravilha maravilhoso maravilhosa adorei amei parabens
    2: incrivel sensacional otimos otimas
    1.5: gostando show top feliz satisfeito satisfeita gostei resolveu resolvido resolvida funcionou eficiente
    1.5: atencioso atenciosa ajudou recomendo gentil amo contente salvou atenciosos atenciosas voando
    1: obrigado valeu agradeco legal massa funcionando voltou rapido rapida sucesso educado educada
    1: melhor agradecido estavel certinho joia justo rapidos ufa aleluia
    0.6: bom
    0.5: boa bem funciona beleza tranquilo resolve resolvem
    """
)
NEGATIVE = _table(
    """
    2: pessimo pessima horrivel horroroso lixo porcaria merda absurdo absurda palhacada vergonha descaso
    2: raiva irritado irritada insatisfeito insatisfeita decepcionado decepcionada decepcao procon
    2: processar cansei enrolacao enrolando mentira roubo ladrao ladroes safado safados ridiculo
    2: ridicula inaceitavel indignado indignada odeio odiei desrespeito pessimos pqp porra caralho
    2: inferno bosta desgraca lixos fdp vsf sacanagem piada enganado enganada puto revoltado revoltada
    1.5: ruim chateado chateada triste cansado cansada pior prejuizo droga nervoso nervosa estressado
    1.5: prejudicado prejudicada porco enrolado enrolados enrolada af afs
    1: lento lenta caiu cai caindo travando trava oscilando problema problemas defeito reclamacao
    1: reclamar demora demorando demorado ninguem urgente urgencia falha erro caro infelizmente dificil
    1: impossivel cortaram saco perdi perdendo preocupado preocupada
    0.5: esperando nunca cancelar cobrando
    """
)
PROFANITY = frozenset({"porra", "caralho", "merda", "bosta", "fdp", "vsf", "pqp", "desgraca", "puta"})
EMOJI: dict[str, float] = {
    "😀": 1, "😃": 1, "😄": 1, "😁": 1, "😊": 1, "🙂": 0.5, "😍": 2, "🥰": 2, "😘": 1, "❤": 1.5,
    "❤️": 1.5, "💙": 1, "💚": 1, "👍": 1, "👏": 1.5, "🙏": 1, "✅": 0.5, "🎉": 1.5, "😎": 1, "🤩": 2,
    "👌": 1, "💪": 1, "🥳": 1.5, "😉": 0.5, "😂": 0.5, "🤣": 0.5, "😆": 0.5,
    "😡": -2, "🤬": -2, "😠": -2, "😤": -1.5, "😞": -1.5, "😔": -1, "😢": -1.5, "😭": -2, "😩": -1.5,
    "😫": -1.5, "😒": -1, "🙄": -1, "👎": -1.5, "💩": -2, "😑": -1, "😐": -0.5, "☹": -1.5, "🙁": -1,
    "😕": -1, "😓": -1, "😖": -1.5, "🤦": -1, "🤡": -1.5, "😣": -1,
}  # fmt: skip
NEGATORS = frozenset({"nao", "nunca", "nem", "jamais", "sem", "nenhum", "nenhuma", "ninguem", "nada"})
INTENSIFIERS = _table(
    """
    2: extremamente absurdamente pra caralho
    1.5: muito muita super demais totalmente completamente pra caramba ridiculamente
    1.3: bastante tao mega
    1.2: bem mais
    """
)
# "sem" flips praise ("sem problema" is fine) but "sem internet" is bad news, said without any lexicon word.
COMPLAINT_PHRASES = _table(
    """
    2: ninguem resolve, ninguem responde, nao aguento, falta de respeito, nao presta, mal atendido
    2: mal atendida
    1.5: nao resolve, nao resolveram, dias sem, vou cancelar, pago caro, nao e possivel
    1.5: sempre a mesma coisa
    1: sem internet, sem sinal, sem conexao, nao funciona, nao esta funcionando, toda hora, varias vezes
    1: quero cancelar, ainda cobram, nem funciona, de novo isso
    0.5: de novo, todo dia, ja faz
    1.5: so sabem cobrar, vez que ligo, vez que reclamo, e nada ainda
    1: e nada
    """,
    phrases=True,
)
PRAISE_PHRASES = _table(
    """
    2.5: do que reclamar, nada a reclamar
    2: sao demais, foram demais, nota 10, nota dez, nota mil, de parabens
    1.5: e demais
    1: salvou meu dia
    """,
    phrases=True,
)
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
                value = -max(value, 1.0) if value > 0 else -value * 0.5
            score += value * boost
        boost = 1.0
    return score, profane


def sentiment(text: str) -> Sentiment:
    """Label and score (-1..1) of `text`; "não estou feliz" is negative, "😡" too, "obrigado!!" positive."""
    norm = _GREETINGS.sub(" ", normalize(text))
    words = _WORD.findall(norm)
    score, profane = _lexicon_score(words)
    padded = f" {' '.join(words)} "
    score -= sum(weight for phrase, weight in COMPLAINT_PHRASES.items() if f" {phrase} " in padded)
    score += sum(weight for phrase, weight in PRAISE_PHRASES.items() if f" {phrase} " in padded)
    exclaims = text.count("!")
    intensity = 1.0 + 0.15 * min(max(exclaims - 1, 0), 4) + (0.6 if _caps_ratio(text) > 0.6 else 0.0)
    score *= intensity
    if profane:
        score = min(score, -2.0)
    value = math.tanh(score / 2.5)
    label: Label = "positive" if value >= 0.25 else "negative" if value <= -0.25 else "neutral"
    return Sentiment(label, round(value, 3))
