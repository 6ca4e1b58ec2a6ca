"""The model's summary of the insights cites only numbers the insights hold; a model that cannot answer
leaves a note, and the built-in engine never reaches the network."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from assistant.context import EngineConfig
from dashboards.insight_summary import allowed_numbers, check, prompt, readings, summarize, unbacked
from dashboards.queries.drilldown import Drill
from dashboards.queries.filters import Filters
from dashboards.queries.insights import Insight
from tests.stubs.openai import API_KEY, OpenAIStub, text

PERIOD = Filters(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
FRT = Insight(
    "frt_block",
    "O tempo de primeira resposta subiu 40 % às segundas, 8h–10h: mediana de 7,0 min contra 5,0 min no "
    "período anterior (25 conversas).",
    {
        "change": 0.4,
        "frt_median_s": 420.0,
        "previous_frt_median_s": 300.0,
        "conversations": 25,
        "previous_conversations": 22,
        "dow": 1,
        "hour_from": 8,
        "hour_to": 10,
    },
    Drill("dow_hours", (1, 8, 10)),
    PERIOD,
)
CSAT = Insight(
    "csat_team_drop",
    "CSAT do Financeiro caiu de 4,5 para 3,9 em 30 dias; tema mais citado: demora (12 avaliações).",
    {
        "team_id": 77,
        "average": 3.9,
        "previous_average": 4.5,
        "responses": 31,
        "previous_responses": 40,
        "top_theme": "demora",
        "top_theme_count": 12,
    },
    Drill("csat_low"),
    PERIOD,
)


def test_a_percentage_the_data_holds_is_accepted() -> None:
    """ "subiu 40 %" stands on the insight's change of 0.4, printed or raw."""
    assert unbacked("O tempo de primeira resposta subiu 40 % às segundas.", allowed_numbers([FRT])) == []
    assert check("A primeira resposta subiu 40% nas manhãs de segunda (25 conversas).", [FRT]).ok


def test_an_invented_number_is_refused() -> None:
    """55 % is nowhere in the data: the summary is not shown and the note names the number."""
    outcome = check("A primeira resposta subiu 55 % às segundas, em 25 conversas.", [FRT])
    assert not outcome.ok and outcome.text is None
    assert outcome.rejected == ("55",)
    assert outcome.note is not None and "55" in outcome.note and "não estão nos dados" in outcome.note


def test_comma_and_dot_decimals_are_the_same_number() -> None:
    """ "4,5" and "4.5" both stand on the average 4.5; 4,6 and a rounded "4" of 3.9 do not."""
    allowed = allowed_numbers([CSAT])
    assert unbacked("O CSAT do Financeiro caiu de 4,5 para 3,9.", allowed) == []
    assert unbacked("O CSAT do Financeiro caiu de 4.5 para 3.9.", allowed) == []
    assert unbacked("O CSAT caiu de 4,6 para 4.", allowed) == ["4,6", "4"]


def test_number_spellings_are_normalised() -> None:
    """Thousands in pt-BR or en-US, R$ values and durations in other units read as the same values."""
    assert readings("1.234,5") == readings("1,234.5") == {readings("1234,5").pop()}
    assert readings("1.234") >= readings("1234")
    money = Insight("x", "Fatura média de R$ 1.234,56.", {"ticket": 1234.56}, Drill("all"), PERIOD)
    assert unbacked("A fatura média foi R$ 1.234,56, ou 1234.56 reais.", allowed_numbers([money])) == []
    assert unbacked("A fatura média foi R$ 1.300,00.", allowed_numbers([money])) == ["1.300,00"]
    # 420 s is the "7,0 min" the sentence prints; 7 minutes and 420 seconds are the same number
    assert unbacked("A mediana foi de 7 minutos (420 segundos).", allowed_numbers([FRT])) == []


def test_ids_stay_out_of_the_prompt_and_out_of_the_allowed_numbers() -> None:
    """The team's id is internal: not sent, and a summary citing it is refused."""
    sent = "\n".join(m["content"] for m in prompt([CSAT]))
    assert "team_id" not in sent and "77" not in sent
    assert '"average": 3.9' in sent and "CSAT do Financeiro caiu de 4,5 para 3,9" in sent
    assert unbacked("Equipe 77 em queda.", allowed_numbers([CSAT])) == ["77"]


@pytest.fixture()
def stub() -> Iterator[OpenAIStub]:
    server = OpenAIStub().start()
    yield server
    server.stop()


def _model(stub: OpenAIStub) -> EngineConfig:
    return EngineConfig("model", stub.base_url, "gpt-4o-mini", API_KEY)


def test_summarize_asks_the_model_once_and_checks_its_answer(stub: OpenAIStub) -> None:
    """The model's text comes back accepted; the request carries the sentences and temperature 0."""
    stub.script(text("A primeira resposta piorou: subiu 40 % às segundas de manhã, em 25 conversas."))
    outcome = summarize([FRT], _model(stub))
    assert outcome.ok and outcome.text is not None and "40 %" in outcome.text
    [request] = stub.chat_requests()
    assert request["temperature"] == 0
    assert FRT.text in request["messages"][-1]["content"]


def test_a_model_error_is_a_note(stub: OpenAIStub) -> None:
    """A 500 after the client's retry is a pt-BR note, never an exception on the page."""
    stub.fail_next(2, status=500)
    outcome = summarize([FRT], _model(stub))
    assert not outcome.ok and outcome.note is not None and "Não foi possível" in outcome.note


def test_a_malformed_answer_is_a_note(stub: OpenAIStub) -> None:
    """A 200 that is not a chat completion, or one with no text, leaves a note instead of breaking."""
    stub.fail_next(1, status=200, body={"unexpected": True})
    assert "Não foi possível" in str(summarize([FRT], _model(stub)).note)
    stub.script(text(""))
    assert "resposta vazia" in str(summarize([FRT], _model(stub)).note)


def test_the_builtin_engine_never_calls_out() -> None:
    """Without the model engine, summarize refuses before any client exists."""
    with pytest.raises(ValueError, match="model engine"):
        summarize([FRT], EngineConfig("builtin"))
