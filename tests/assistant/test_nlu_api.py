"""The interface the attendant relies on (ATTENDANT-CONTRACTS.md): names, types, and the headline cases."""

from __future__ import annotations

from datetime import date

from assistant.nlu import INTENTS, IntentResult, Sentiment, Slots, classify, extract, normalize, sentiment


def test_intents_are_the_agreed_names() -> None:
    assert INTENTS == (
        "fatura", "sem_conexao", "desbloqueio", "atendente", "contratar", "cancelamento",
        "saudacao", "agradecimento", "comprovante", "chamado", "outro",
    )  # fmt: skip


def test_classify_returns_scores_for_every_intent() -> None:
    result = classify("quero a segunda via do boleto")
    assert isinstance(result, IntentResult)
    assert result.intent == "fatura"
    assert set(result.scores) == set(INTENTS)
    assert 0.0 <= result.confidence <= 1.0


def test_greeting_plus_request_is_the_request() -> None:
    assert classify("oi bom dia tudo bem? vc pode me mandar a 2 via").intent == "fatura"
    assert classify("oi bom dia").intent == "saudacao"


def test_sentiment_handles_negation() -> None:
    result = sentiment("não estou feliz")
    assert isinstance(result, Sentiment)
    assert result.label == "negative"
    assert sentiment("estou feliz").label == "positive"


def test_extract_returns_slots() -> None:
    slots = extract("meu cpf é 529.982.247-25, pago sexta", today=date(2026, 12, 3))
    assert isinstance(slots, Slots)
    assert slots.documents == ("52998224725",)
    assert slots.date == date(2026, 12, 4)


def test_normalize_folds_accents_case_and_abbreviations() -> None:
    assert normalize("Você TÁ sem NET?") == "voce esta sem internet ?"
