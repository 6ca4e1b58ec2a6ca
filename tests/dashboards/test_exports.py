"""Exports: one row per conversation, CSAT responses and agents, typed .xlsx with pt-BR headers in the
tenant's timezone, CSV for Excel in Portuguese; never a row of another tenant."""

from __future__ import annotations

import csv
from datetime import datetime

import openpyxl
import pytest
import sqlalchemy as sa

from dashboards.exports.run import export
from dashboards.exports.sources import SOURCES
from dashboards.filters import FilterState, resolve


def _run(  # type: ignore[no-untyped-def]
    readonly_db,
    world,
    key: str,
    fmt: str,
    tmp_path,
    state: FilterState | None = None,
    team_scope: tuple[int, ...] | None = None,
):
    state = state or FilterState(preset="7d")
    period = resolve(state, "America/Sao_Paulo")
    path = tmp_path / f"out.{fmt}"
    seen: list[tuple[int, int]] = []
    rows = export(readonly_db.engine, SOURCES[key], fmt, path, tenant_id=world.tenant_id, state=state,  # type: ignore[arg-type]
                  period=period, timezone="America/Sao_Paulo", team_scope=team_scope,
                  progress=lambda d, t: seen.append((d, t)), chunk_rows=2)  # fmt: skip
    return rows, path, seen


def test_xlsx_has_typed_cells_local_times_and_only_this_tenant(readonly_db, db, facts, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Tenant A's export holds its 3 conversations (from the fact rows), ids as numbers, opening times
    as local date-times, durations and booleans typed."""
    world = facts["a"]
    rows, path, seen = _run(readonly_db, world, "conversas", "xlsx", tmp_path)
    assert rows == 3
    assert seen[-1] == (3, 3) and len(seen) == 2  # chunks of 2: progress after each
    sheet = openpyxl.load_workbook(path, read_only=True).active
    values = list(sheet.values)
    assert values[0][:3] == ("Conversa", "Aberta em", "Canal")
    assert sorted(int(r[0]) for r in values[1:]) == sorted(world.conversation_ids)
    with db.session() as session:
        utc = session.scalar(
            sa.text("SELECT created_at FROM conversations WHERE id = :i"), {"i": world.conversation_ids[0]}
        )
    first = next(r for r in values[1:] if int(r[0]) == world.conversation_ids[0])
    assert isinstance(first[1], datetime)
    local = utc.astimezone(__import__("zoneinfo").ZoneInfo("America/Sao_Paulo")).replace(tzinfo=None)
    assert abs((first[1] - local).total_seconds()) < 1
    header = values[0]
    assert first[header.index("Atendida pela IA")] is False
    assert first[header.index("Mensagens do cliente")] == 1


def test_conversations_export_names_the_pop(readonly_db, db, facts, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A "POP" column after "Intenção": the identified contract's POP, empty where none was identified."""
    world = facts["a"]
    with db.tenant_session(world.tenant_id) as session:
        session.execute(
            sa.text("UPDATE conversation_facts SET pop = 'POP Jardim América' WHERE conversation_id = :i"),
            {"i": world.conversation_ids[0]},
        )
    _, path, _ = _run(readonly_db, world, "conversas", "xlsx", tmp_path)
    values = list(openpyxl.load_workbook(path, read_only=True).active.values)
    header = values[0]
    assert header.index("POP") == header.index("Intenção") + 1
    pops = {int(r[0]): r[header.index("POP")] for r in values[1:]}
    assert pops[world.conversation_ids[0]] == "POP Jardim América"
    assert all(pops[i] in (None, "") for i in world.conversation_ids[1:])


def test_csv_is_for_excel_in_portuguese(readonly_db, facts, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """BOM, `;` separators, dd/mm/aaaa dates, pt-BR headers; tenant B sees its 2 rows only."""
    world = facts["b"]
    rows, path, _ = _run(readonly_db, world, "conversas", "csv", tmp_path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert table[0][:2] == ["Conversa", "Aberta em"]
    assert sorted(int(r[0]) for r in table[1:]) == sorted(world.conversation_ids) and rows == 2
    assert table[1][1][2] == "/" and table[1][1][5] == "/"


@pytest.mark.parametrize("key", ["csat", "atendentes"])
def test_other_exports_stay_in_the_tenant(readonly_db, db, worlds, tmp_path, key) -> None:  # type: ignore[no-untyped-def]
    """CSAT responses and the agents table of tenant A never hold tenant B's rows."""
    from models.base import utcnow
    from models.csat import CsatResponse, CsatSurvey

    for world in worlds.values():
        with db.tenant_session(world.tenant_id) as session:
            for cid in world.conversation_ids:
                contact = session.scalar(
                    sa.text("SELECT contact_id FROM conversations WHERE id = :i"), {"i": cid}
                )
                session.execute(
                    sa.text("UPDATE conversations SET assignee_id = :a WHERE id = :i"),
                    {"a": world.agent.id, "i": cid},
                )
                survey = CsatSurvey(
                    tenant_id=world.tenant_id,
                    conversation_id=cid,
                    contact_id=contact,
                    inbox_id=world.inbox_id,
                    agent_id=world.agent.id,
                    scheduled_for=utcnow(),
                )
                session.add(survey)
                session.flush()
                session.add(
                    CsatResponse(
                        tenant_id=world.tenant_id,
                        survey_id=survey.id,
                        score=5,
                        comment=f"ok {world.tenant_id}",
                    )
                )
    rows, path, _ = _run(readonly_db, worlds["a"], key, "xlsx", tmp_path)
    values = list(openpyxl.load_workbook(path, read_only=True).active.values)[1:]
    if key == "csat":
        assert rows == 3 and sorted(int(r[2]) for r in values) == sorted(worlds["a"].conversation_ids)
        assert all(r[4] == f"ok {worlds['a'].tenant_id}" for r in values)
    else:
        assert [(int(r[0]), r[5]) for r in values] == [(worlds["a"].agent.id, 3)]
        assert values[0][10] == 5


def test_filters_apply_to_exports(readonly_db, facts, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Another tenant's inbox id in the filters yields nothing, not its rows."""
    state = FilterState(preset="7d", inbox_ids=(facts["b"].inbox_id,))
    rows, _, _ = _run(readonly_db, facts["a"], "conversas", "xlsx", tmp_path, state)
    assert rows == 0
    state = FilterState(preset="7d", inbox_ids=(facts["a"].inbox_id,))
    rows, _, _ = _run(readonly_db, facts["a"], "conversas", "xlsx", tmp_path, state)
    assert rows == 3
