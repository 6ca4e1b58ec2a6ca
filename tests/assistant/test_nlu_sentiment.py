"""Sentiment: negation, intensity, emoji, profanity, and the held-out accuracy of the lexicon."""

from __future__ import annotations

import pytest

from assistant.nlu import sentiment
from assistant.nlu.dataset import SENTIMENT_FILE
from assistant.nlu.evaluate import evaluate, select

MIN_HELD_OUT_ACCURACY = 0.75  # fixed before the held-out split was first scored


def test_held_out_accuracy() -> None:
    report = evaluate(select(SENTIMENT_FILE, "test"), task="sentiment")
    assert report.total >= 40
    assert report.accuracy >= MIN_HELD_OUT_ACCURACY, report.mistakes()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("não estou feliz", "negative"),
        ("nao estou satisfeito com o servico", "negative"),
        ("estou feliz", "positive"),
        ("não é ruim", "positive"),
        ("sem problema", "neutral"),
        ("nunca funciona", "negative"),
        ("nem chegou o boleto, que absurdo", "negative"),
        ("obrigado!", "positive"),
        ("quero a segunda via", "neutral"),
        ("oi bom dia", "neutral"),
        ("😡", "negative"),
        ("😍😍", "positive"),
        ("ta sem internet de novo", "negative"),
        ("essa porra caiu", "negative"),
        ("PORRA, obrigado hein", "negative"),
    ],
)
def test_label(text: str, label: str) -> None:
    assert sentiment(text).label == label


def test_intensity_from_caps_exclamations_and_intensifiers() -> None:
    assert sentiment("RUIM!!!").score < sentiment("ruim").score
    assert sentiment("muito ruim").score < sentiment("ruim").score
    assert sentiment("muito bom").score > sentiment("bom").score


def test_score_is_bounded() -> None:
    very = sentiment("PESSIMO HORRIVEL LIXO ABSURDO VERGONHA!!!!!! 😡😡😡")
    assert very.label == "negative"
    assert -1.0 <= very.score < -0.9
