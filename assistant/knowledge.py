"""Answers from the tenant's knowledge base for the built-in engine: "qual horário vcs atendem?",
"aceita cartão?", "como troco a senha do wifi" — questions no SGP tool answers.

Each entry (title, content) becomes TF-IDF vectors of character 3–5-grams of its words, after the same
folding as intent detection (`assistant.nlu.normalize`: no accents, abbreviations, typos) and without
function words; whole words count too. A question scores its cosine against the entry's title and,
scaled down, its content; the best entry answers when it scores at least `THRESHOLD`, else nobody
does (the engine's not-understood path asks again or hands off). Character n-grams let "troco" meet
"trocar", "orario" meet "horário", "cartao" meet "cartões".

Pure Python and small: an index of fifty entries builds in a few milliseconds and is cached per
knowledge base (the tuple of entries), a lookup takes well under a millisecond. The threshold was chosen
on the train rows of `tests/data/kb_questions.tsv` and is reported on its held-out rows in docs/ai.md.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from assistant.nlu.normalize import normalize

THRESHOLD = 0.20  # chosen on the train split (docs/ai.md, "Knowledge base")
CONTENT_WEIGHT = 0.8  # a match in the body counts a little less than one in the title
NGRAMS = (3, 4, 5)

_FUNCTION_WORDS = """
    a o as os um uma uns umas de do da dos das d em no na nos nas num numa ao aos à para pra pro por pelo
    pela pelos pelas com sem e ou que qual quais quem como quando onde quanto quanta quantos quantas
    eu voce voces ele ela eles elas nos me te se lhe minha meu meus minhas seu sua seus suas nosso nossa
    nossos nossas vosso este esta esse essa isso isto aquele aquela aqui ali la ai ja so mais muito
    muita bem tambem ser e sao era foi estou estao esta estamos ter tem tenho temos tinha ha vai vou
    ir fazer faz favor por_favor oi ola bom boa dia tarde noite tudo ok entao ne gente pessoal moca moco
    queria quero gostaria saber preciso pode posso poderia consegue consigo algum alguma alguem
    """
STOPWORDS = frozenset(_FUNCTION_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")


def terms(text: str) -> Counter[str]:
    """The weighted terms of a text: its content words and their character n-grams (with edges)."""
    folded = normalize(text).replace("-", "")
    counts: Counter[str] = Counter()
    for word in _WORD.findall(folded):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        counts[f"w:{word}"] += 1
        padded = f" {word} "
        for n in NGRAMS:
            for i in range(max(1, len(padded) - n + 1)):
                counts[padded[i : i + n]] += 1
    return counts


Vector = dict[str, float]


def _vector(counts: Counter[str], idf: dict[str, float], default_idf: float) -> Vector:
    vec = {t: (1.0 + math.log(c)) * idf.get(t, default_idf) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


@dataclass(frozen=True)
class Match:
    title: str
    content: str
    score: float


class KnowledgeIndex:
    """`tags`, aligned with `entries`, are other words customers use for an entry ("que horas abre",
    "cartão"): they count as part of its title."""

    def __init__(self, entries: tuple[tuple[str, str], ...], tags: tuple[str, ...] = ()) -> None:
        self.entries = entries
        tags = tags + ("",) * (len(entries) - len(tags))
        titles = [terms(f"{title} {extra}") for (title, _), extra in zip(entries, tags, strict=False)]
        bodies = [terms(content) for _, content in entries]
        df: Counter[str] = Counter()
        for title, body in zip(titles, bodies, strict=True):
            df.update(set(title) | set(body))
        n = len(entries)
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
        self.default_idf = math.log(1 + n) + 1.0  # a term no entry has
        self.titles = [_vector(c, self.idf, self.default_idf) for c in titles]
        self.bodies = [_vector(c, self.idf, self.default_idf) for c in bodies]

    def scores(self, question: str) -> list[float]:
        query = _vector(terms(question), self.idf, self.default_idf)
        return [
            max(_cosine(query, title), CONTENT_WEIGHT * _cosine(query, body))
            for title, body in zip(self.titles, self.bodies, strict=True)
        ]

    def best(self, question: str) -> Match | None:
        """The best entry with its score (None for an empty knowledge base or a question with no words)."""
        if not self.entries:
            return None
        scores = self.scores(question)
        i = max(range(len(scores)), key=scores.__getitem__)
        title, content = self.entries[i]
        return Match(title, content, scores[i])


@lru_cache(maxsize=64)
def index_for(entries: tuple[tuple[str, str], ...], tags: tuple[str, ...] = ()) -> KnowledgeIndex:
    return KnowledgeIndex(entries, tags)


# Intents whose messages are often questions for the knowledge base: "quais planos tem" is `contratar`,
# "como troco a senha do wifi" is `chamado`. Messages of the other intents are requests that a flow or
# a person handles (a bill, no connection, a receipt…), answered from the knowledge base only when an
# entry matches them strongly ("formas de pagamento", "como testo a velocidade"); never a cancellation
# (retention is people's work) or a thank-you.
KB_INTENTS = frozenset({"outro", "contratar", "chamado", "saudacao"})
NEVER = frozenset({"cancelamento", "agradecimento"})
STRONG_MARGIN = 0.20  # chosen on the train split, like THRESHOLD
_QUESTION = re.compile(
    r"\?|^(?:(?:e |mas )?(?:qual|quais|quanto|quantos|como|onde|quando|tem|existe|aceita|aceitam|"
    r"voces tem|voces aceitam|voce tem|da pra|posso|pode|e possivel)\b)"
)


def lookup(
    entries: tuple[tuple[str, str], ...],
    question: str,
    tags: tuple[str, ...] = (),
    threshold: float = THRESHOLD,
) -> Match | None:
    """The entry that answers `question`, or None when none is close enough."""
    if not entries or not question.strip():
        return None
    match = index_for(entries, tags).best(question)
    return match if match is not None and match.score >= threshold else None


def answer(
    entries: tuple[tuple[str, str], ...],
    question: str,
    intent: str,
    tags: tuple[str, ...] = (),
    threshold: float = THRESHOLD,
) -> Match | None:
    """What the built-in engine answers from the knowledge base for a message of this intent, if any."""
    if intent in NEVER:
        return None
    if intent == "contratar" and not _QUESTION.search(normalize(question)):
        threshold += STRONG_MARGIN  # "quero contratar" is for sales; "quais planos tem?" is a question
    elif intent not in KB_INTENTS:
        threshold += STRONG_MARGIN
    return lookup(entries, question, tags, threshold)
