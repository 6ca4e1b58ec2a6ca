"""A tenant admin can reach none of another tenant's rows in any back-office view: not by listing,
searching or filtering, not by URL id (details, edit, delete), not by export, not by a relationship or
ajax choice, and a new row never takes its tenant from the form."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, quote_plus

import sqlalchemy as sa

from tests.admin.conftest import World, post_form
from tests.admin.rows import row_for
from tests.admin.walk import index_url, tenant_model_views
from tests.auth.conftest import csrf_from


def _links_to(html: str, pk: int) -> bool:
    return re.search(rf"[?&](amp;)?id={pk}(&|\"|'|$)", html) is not None


def _exists(db: Any, model: Any, pk: int) -> Any:
    with db.platform_session() as session:
        return session.get(model, pk)


def _remote_models(view: Any) -> list[Any]:
    """Models the view's create form offers as choices (relationships), tenant-owned ones only."""
    found = []
    for prop in sa.inspect(view.model).relationships:
        remote = prop.mapper.class_
        if hasattr(remote, "tenant_id"):
            found.append((prop.key, remote))
    return found


def test_every_tenant_view_hides_other_tenants_rows(app: Any, db: Any, world: World, login_as: Any) -> None:
    """Walks every registered tenant view with a row of tenant B and proves admin A cannot reach it."""
    views = tenant_model_views(app)
    assert {v.endpoint for v in views} >= {"admin_labels", "admin_quick_replies"}
    client = login_as("admin_a")
    problems: list[str] = []
    for number, view in enumerate(views):
        marker = f"zzbmark{number}x"
        related_markers: list[str] = []
        with db.platform_session() as session:
            row = row_for(session, view.model, world.tenant_b, marker)
            session.refresh(row)
            pk = int(row.id)
            row_for(session, view.model, world.tenant_a, f"zzamark{number}x")
            for key, remote in _remote_models(view):
                rel_marker = f"zzbrel{number}{key}x"
                row_for(session, remote, world.tenant_b, rel_marker)
                related_markers.append(rel_marker)
        base = index_url(view)

        def check(
            what: str,
            response: Any,
            *,
            status: tuple[int, ...] = (200,),
            view: Any = view,
            pk: int = pk,
            marker: str = marker,
            echo: str | None = None,
        ) -> None:
            # The search term or filter value is echoed (the box, links that keep it): not the row.
            body = response.get_data(as_text=True)
            for typed in {marker, echo or marker}:
                for form in {typed, quote_plus(typed), quote(typed, safe="")}:
                    body = body.replace(f'"{form}"', "").replace(f"={form}", "").replace(f"%3D{form}", "")
            if response.status_code == 200 and "/export/" not in what and _links_to(body, pk):
                problems.append(f"{view.endpoint} {what}: links to tenant B's row")
            if response.status_code not in status:
                problems.append(f"{view.endpoint} {what}: status {response.status_code}")
            if marker in body:
                problems.append(f"{view.endpoint} {what}: shows tenant B's row")

        check("list", client.get(base))
        check("search", client.get(base, query_string={"search": marker}))
        for index, flt in enumerate(getattr(view, "_filters", None) or []):
            column = getattr(flt, "column", None)
            key = getattr(column, "key", None)
            if key and hasattr(row, key):
                value = str(getattr(row, key))
                response = client.get(base, query_string={f"flt0_{index}": value})
                check(f"filter {key}", response, echo=value)
        if view.can_view_details:
            check("details by id", client.get(f"{base}details/", query_string={"id": pk}), status=(404,))
        if type(view).allow_edit:
            check("edit form by id", client.get(f"{base}edit/", query_string={"id": pk}), status=(404,))
            token = csrf_from(client.get(base).get_data(as_text=True))
            edited = client.post(f"{base}edit/?id={pk}", data={"csrf_token": token, "name": "hijacked"})
            check("edit post by id", edited, status=(404,))
        if type(view).allow_delete:
            token = csrf_from(client.get(base).get_data(as_text=True))
            deleted = client.post(f"{base}delete/", data={"csrf_token": token, "id": pk})
            check("delete by id", deleted, status=(404,))
            if _exists(db, view.model, pk) is None:
                problems.append(f"{view.endpoint} delete by id: deleted tenant B's row")
        if view.can_export:
            check("export", client.get(f"{base}export/csv/"))
        if type(view).allow_create:
            form_page = client.get(f"{base}new/").get_data(as_text=True)
            for rel_marker in related_markers:
                if rel_marker in form_page:
                    problems.append(f"{view.endpoint} create form: offers tenant B's {rel_marker}")
        for name in getattr(view, "_form_ajax_refs", None) or {}:
            lookup = client.get(f"{base}ajax/lookup/", query_string={"name": name, "query": "zzb"})
            if "zzb" in lookup.get_data(as_text=True):
                problems.append(f"{view.endpoint} ajax {name}: finds tenant B's rows")
    assert not problems, "\n".join(problems)


def test_junk_ids_are_not_found(app: Any, world: World, login_as: Any) -> None:
    """An id that is not a number is a 404, never a 500."""
    client = login_as("admin_a")
    for view in tenant_model_views(app):
        if view.can_view_details:
            response = client.get(f"{index_url(view)}details/", query_string={"id": "1 OR 1=1"})
            assert response.status_code == 404, view.endpoint


def test_new_row_takes_the_tenant_from_the_session_not_the_form(db: Any, world: World, login_as: Any) -> None:
    """A tenant_id smuggled into the create form is ignored: the label is admin A's tenant's."""
    from models.label import Label

    client = login_as("admin_a")
    data = {
        "name": "Contrabando",
        "color": "#112233",
        "tenant_id": str(world.tenant_b),
        "tenant": str(world.tenant_b),
    }
    response = post_form(client, "/admin/labels/new/", data)
    assert response.status_code == 302
    with db.platform_session() as session:
        label = session.scalar(sa.select(Label).where(Label.name == "Contrabando"))
        assert label is not None and label.tenant_id == world.tenant_a


def test_a_relationship_value_of_another_tenant_is_refused(db: Any, world: World, login_as: Any) -> None:
    """A quick reply posted with tenant B's team id is not stored: the team is not a valid choice."""
    from models.reply import QuickReply
    from models.user import Team

    with db.platform_session() as session:
        team_b = Team(tenant_id=world.tenant_b, name="Equipe B")
        session.add(team_b)
        session.flush()
        team_b_id = team_b.id
    client = login_as("admin_a")
    data = {"shortcut": "boleto", "title": "Boleto", "content": "Segue o boleto", "team": str(team_b_id)}
    response = post_form(client, "/admin/quick-replies/new/", data)
    assert response.status_code == 200  # the form again, with the error
    with db.platform_session() as session:
        assert session.scalar(sa.select(QuickReply).where(QuickReply.shortcut == "boleto")) is None
