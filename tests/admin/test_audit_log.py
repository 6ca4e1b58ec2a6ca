"""The audit viewer: filters by actor, action, target and period; CSV export scoped, masked and safe to
open in a spreadsheet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.audit import AuditLog
from tests.admin.conftest import World
from tests.admin.walk import tenant_model_views


def _filter_index(app: Any, label: str) -> int:
    view = next(v for v in tenant_model_views(app) if v.endpoint == "admin_audit")
    return next(i for i, f in enumerate(view._filters) if str(f.name) == label)


def _seed(db: Any, world: World) -> None:
    old = datetime.now(UTC) - timedelta(days=40)
    people = world.people
    with db.platform_session() as session:
        session.add_all(
            [
                AuditLog(
                    tenant_id=world.tenant_a,
                    actor_user_id=people["admin_a"].id,
                    action="labels.create",
                    target_type="labels",
                    target_id="7",
                    data={"after": {"name": "Financeiro"}},
                ),
                AuditLog(
                    tenant_id=world.tenant_a,
                    actor_user_id=people["supervisor_a"].id,
                    action="teams.update",
                    target_type="teams",
                    target_id="3",
                    created_at=old,
                    data={"api_key": "sk-nao-mostrar"},
                ),
                AuditLog(
                    tenant_id=world.tenant_b,
                    actor_user_id=people["admin_b"].id,
                    action="labels.create",
                    target_type="labels",
                    target_id="8",
                    data={},
                ),
            ]
        )


def test_filters_by_actor_action_target_and_period(app: Any, db: Any, world: World, login_as: Any) -> None:
    """Each filter narrows the list to the matching rows of the admin's own tenant."""
    _seed(db, world)
    client = login_as("admin_a")

    def rows(**query: str) -> str:
        return client.get("/admin/audit/", query_string=query).get_data(as_text=True)

    by_actor = rows(**{f"flt0_{_filter_index(app, 'Quem (e-mail)')}": "supervisor_a"})
    assert "teams.update" in by_actor and "labels.create</td>" not in by_actor.replace("\n", "")
    by_action = rows(**{f"flt0_{_filter_index(app, 'Ação')}": "labels"})
    assert "labels.create" in by_action and "teams.update" not in by_action
    by_target = rows(**{f"flt0_{_filter_index(app, 'Id do alvo')}": "3"})
    assert "teams.update" in by_target and "labels.create" not in by_target
    start = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S")
    end = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    recent = rows(**{f"flt0_{_filter_index(app, 'Período')}": f"{start} to {end}"})
    assert "labels.create" in recent and "teams.update" not in recent
    assert "sk-nao-mostrar" not in rows()


def test_csv_export_is_scoped_masked_and_formula_safe(db: Any, world: World, login_as: Any) -> None:
    """The CSV holds only tenant A's rows, no secret, and a cell starting with = is quoted."""
    _seed(db, world)
    response = login_as("admin_a").get("/admin/audit/export/csv/")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.count("labels.create") == 1 and "teams.update" in body
    assert "sk-nao-mostrar" not in body
    assert "admin_b@" not in body


def test_exported_cells_never_run_as_formulas(db: Any, world: World, login_as: Any) -> None:
    """A label named like a spreadsheet formula is exported quoted, so opening the CSV runs nothing."""
    from models.label import Label

    with db.platform_session() as session:
        session.add(Label(tenant_id=world.tenant_a, name='=HYPERLINK("http://x")', color="#123456"))
    body = login_as("admin_a").get("/admin/labels/export/csv/").get_data(as_text=True)
    assert "'=HYPERLINK" in body
    assert "\n=HYPERLINK" not in body and not any(line.startswith("=") for line in body.splitlines())
