"""CSAT replies: is this message a rating, which one, what it complains about (docs/csat-interpretation.md).

`interpret` is offline and safe for every message; `assistant.csat.model.interpret_with_model` asks the
tenant's model engine about free text the rules could only guess.
"""

from assistant.csat.interpretation import Interpretation
from assistant.csat.rules import interpret
from assistant.csat.themes import THEME_LABELS, themes

__all__ = ["THEME_LABELS", "Interpretation", "interpret", "themes"]
