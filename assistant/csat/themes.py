"""Themes of a CSAT comment, for the dashboards: what the customer praised or complained about.

Keyword phrases over the NLU's folded text (no accents, "mt" -> "muito"); a comment can carry several.
Slugs are stored; `THEME_LABELS` holds the pt-BR names a screen shows.
"""

from __future__ import annotations

import re

from assistant.nlu.normalize import normalize

THEME_LABELS: dict[str, str] = {
    "atendimento_demorado": "Atendimento demorado",
    "problema_nao_resolvido": "Problema não resolvido",
    "cordialidade": "Cordialidade",
    "resolucao_rapida": "Resolução rápida",
    "preco": "Preço",
    "instabilidade": "Instabilidade",
    "visita_tecnica": "Visita técnica",
    "atendimento_automatico": "Atendimento automático",
}

_PATTERNS: dict[str, str] = {
    "atendimento_demorado": (
        r"demor\w*|esper\w*|lent[oa] (?:pra|para) (?:responder|atender)|muito tempo"
        r"|horas? (?:pra|para|esperando)"
        r"|ninguem (?:me )?(?:respond|atend)\w*|sem resposta|fila"
    ),
    "problema_nao_resolvido": (
        r"nao (?:me |foi )?resolv\w*|nada (?:foi )?resolvid\w*|sem solucao|continua\w*|mesmo problema"
        r"|ainda (?:estou |esta |to )?sem|nao (?:ajudou|adiantou|funcion\w*)|de novo|nao deu certo"
    ),
    "cordialidade": (
        r"educad[oa]s?|atencios[oa]s?|gentil|simpatic[oa]s?|prestativ[oa]s?|pacien\w*|fofa|querid[oa]|cordial"
        r"|gross[oa]s?|grosseir[oa]s?|estupid[oa]|ignorante"
    ),
    "resolucao_rapida": r"rapid\w*|agil|ligeiro|na hora|resolve\w* (?:logo|rapido)",
    "preco": r"car[oa]s?|preco|valor|mensalidade|taxa|cobranc\w*|cobrad\w*|desconto",
    "instabilidade": (
        r"cai\w*|oscil\w*|instav\w*|lenta|sinal|sem (?:internet|conexao)|velocidade|travando|queda"
    ),
    "visita_tecnica": r"tecnic[oa]s?|visita|instalacao|instalador",
    "atendimento_automatico": r"robo|bot|automatic[oa]|maquina|inteligencia artificial",
}
_COMPILED = {theme: re.compile(rf"\b(?:{pattern})\b") for theme, pattern in _PATTERNS.items()}


def themes(text: str) -> tuple[str, ...]:
    """The themes a comment touches, in THEME_LABELS order."""
    norm = normalize(text)
    return tuple(theme for theme, pattern in _COMPILED.items() if pattern.search(norm))
