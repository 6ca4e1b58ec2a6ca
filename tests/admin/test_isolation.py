"""A tenant admin can reach none of another tenant's rows in any back-office view: not by listing,
searching or filtering, not by URL id (details, edit, delete), not by export, not by a relationship or
ajax choice, not by posting its id into any form (model views' relationship fields and the pages' own id
fields), and a new row never takes its tenant from the form."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import pytest
import sqlalchemy as sa
from flask import g

from tests.admin.conftest import Person, World, post_form
from tests.admin.forms import form_with, post_forms, replaced
from tests.admin.rows import failed_send, meta_inbox, row_for
from tests.admin.walk import all_views, index_url, tenant_model_views
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


# --- relationship fields: tenant B's id posted into every form that chooses rows ------------------------


@dataclass(frozen=True)
class Relation:
    """A create/edit form field that chooses rows of `remote` (one, or several when `multiple`)."""

    name: str
    remote: type[Any]
    multiple: bool
    ajax: bool


def _as_person(person: Person) -> None:
    """Makes this request context `person`'s, signed in with every factor (what `web.auth` sets)."""
    from models.user import User
    from web.auth.context import AuthState

    g.user = User(
        id=person.id, tenant_id=person.tenant_id, role=person.role, is_active=True, email=person.email
    )
    g.auth_state = AuthState.FULL


def relationship_fields(app: Any, view: Any, person: Person) -> list[Relation]:
    """The fields of the view's create and edit forms that choose rows (QuerySelect and ajax fields), with
    the model each chooses from, read from the forms the view builds for `person`."""
    from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField
    from flask_admin.model.fields import AjaxSelectField, AjaxSelectMultipleField

    found: dict[str, Relation] = {}
    with app.test_request_context(index_url(view)):
        _as_person(person)
        forms = [view.create_form()] if type(view).allow_create else []
        forms += [view.edit_form()] if type(view).allow_edit else []
        for form in forms:
            for field in form:
                if isinstance(field, QuerySelectField):
                    query = field.query if field.query is not None else field.query_factory()
                    remote = query.column_descriptions[0]["entity"]
                elif isinstance(field, AjaxSelectField):
                    remote = field.loader.model
                else:
                    continue
                multiple = isinstance(field, QuerySelectMultipleField | AjaxSelectMultipleField)
                ajax = isinstance(field, AjaxSelectField)
                found[field.name] = Relation(field.name, remote, multiple, ajax)
    return list(found.values())


def _references(db: Any, model: Any, remote: Any, tenant_id: int) -> dict[int, set[int]]:
    """Each of the tenant's `model` rows → the ids of the `remote` rows it points at (through every
    relationship of `model` to `remote`), as stored."""
    links = [p for p in sa.inspect(model).relationships if p.mapper.class_ is remote]
    assert links, f"{model.__tablename__} has no relationship to {remote.__tablename__}: say how it is stored"
    found: dict[int, set[int]] = {}
    with db.platform_session() as session:
        for row in session.scalars(sa.select(model).where(model.tenant_id == tenant_id)):
            ids: set[int] = set()
            for link in links:
                value = getattr(row, link.key)
                ids |= {int(x.id) for x in (value if link.uselist else [value]) if x is not None}
            found[int(row.id)] = ids
    return found


def _cloud_inbox(session: Any, tenant_id: int, marker: str) -> Any:
    from models.enums import ChannelType
    from models.provisioning import create_inbox

    return create_inbox(session, tenant_id=tenant_id, channel=ChannelType.WHATSAPP_CLOUD, name=marker)


# Choices a view narrows further than "the tenant's rows" need a row that passes its filter.
CHOICE_ROWS: dict[tuple[str, str], Callable[[Any, int, str], Any]] = {
    ("admin_templates", "inbox"): _cloud_inbox,  # only Meta inboxes have templates of their own
}
# What the walk must find, so a broken discovery cannot pass by walking nothing.
KNOWN_RELATIONS = {
    ("admin_users", "team_choice"),
    ("admin_teams", "member_choice"),
    ("admin_quick_replies", "team"),
    ("admin_templates", "inbox"),
}


def acting_for_a(login_as: Any, world: World, who: str) -> Any:
    """A client of `who`; the superadmin picks tenant A to act for, as in the top bar."""
    client = login_as(who)
    if who == "root":
        token = csrf_from(client.get("/admin/").get_data(as_text=True))
        client.post("/admin/_niochat/tenant", data={"csrf_token": token, "tenant_id": str(world.tenant_a)})
    return client


@pytest.mark.parametrize("who", ["admin_a", "root"])
def test_no_relationship_field_stores_another_tenants_row(
    app: Any, db: Any, world: World, login_as: Any, who: str
) -> None:
    """Every row-choosing field of every tenant view's create and edit forms, posted by tenant A's admin
    (or the superadmin acting for A) with tenant B's id in otherwise valid data (the same data with tenant
    A's id is stored), stores no reference to B's row."""
    client = acting_for_a(login_as, world, who)
    walked: set[tuple[str, str]] = set()
    problems: list[str] = []
    for number, view in enumerate(tenant_model_views(app)):
        relations = relationship_fields(app, view, world.people["admin_a"])
        if not relations:
            continue
        # Valid data is what the edit page of a tenant-A row renders (a new row: the same, renamed).
        assert type(view).allow_edit, f"{view.endpoint}: create-only view with a relationship field"
        base, marker = index_url(view), f"zzform{number}x"
        with db.platform_session() as session:
            pk = int(row_for(session, view.model, world.tenant_a, marker).id)
        for relation in relations:
            where = f"{view.endpoint}.{relation.name}"
            walked.add((view.endpoint, relation.name))
            build = CHOICE_ROWS.get((view.endpoint, relation.name))
            with db.platform_session() as session:
                own, foreign = (
                    build(session, tenant, f"{marker}{relation.name}{side}")
                    if build
                    else row_for(session, relation.remote, tenant, f"{marker}{relation.name}{side}")
                    for tenant, side in ((world.tenant_a, "a"), (world.tenant_b, "b"))
                )
                own_id, foreign_id = int(own.id), int(foreign.id)
            form = form_with(client.get(f"{base}edit/?id={pk}").get_data(as_text=True), relation.name)
            choices = form.get(relation.name).options  # type: ignore[union-attr]
            if not relation.ajax and str(own_id) not in choices:
                problems.append(f"{where}: tenant A's row is not a choice (add a CHOICE_ROWS builder)")
                continue
            data = form.data()
            bad: str | list[str] = [str(own_id), str(foreign_id)] if relation.multiple else str(foreign_id)
            good: str | list[str] = [str(own_id)] if relation.multiple else str(own_id)

            def stored(relation: Relation = relation, view: Any = view) -> dict[int, set[int]]:
                return _references(db, view.model, relation.remote, world.tenant_a)

            before = stored()[pk]
            client.post(f"{base}edit/?id={pk}", data={**data, relation.name: bad})
            if stored()[pk] != before:
                problems.append(f"{where} edit: stored {sorted(stored()[pk])}, had {sorted(before)}")
            client.post(f"{base}edit/?id={pk}", data={**data, relation.name: good})
            if own_id not in stored()[pk]:
                problems.append(f"{where} edit: tenant A's own row was refused too (the data is not valid)")
            if not type(view).allow_create:
                continue
            for attempt, value in (("b", bad), ("a", good)):
                existing = set(stored())
                renamed = replaced(data, marker, f"{marker}{relation.name[:2]}{attempt}")
                client.post(f"{base}new/", data={**renamed, relation.name: value})
                now = stored()
                new = set(now) - existing
                if any(foreign_id in now[i] for i in new):
                    problems.append(f"{where} create: the new row points at tenant B's row")
                if attempt == "a" and not any(own_id in now[i] for i in new):
                    problems.append(f"{where} create: tenant A's own row was refused too (data not valid)")
    assert walked >= KNOWN_RELATIONS, f"relationship fields not found: {KNOWN_RELATIONS - walked}"
    assert not problems, "\n".join(problems)


# --- the back office's own forms that take an id ---------------------------------------------------------


def test_custom_forms_ignore_another_tenants_ids(
    app: Any, db: Any, world: World, login_as: Any, redis_url: str, meta: Any
) -> None:
    """The pages' own id fields — an inbox's default team (new, edit), the AI's hand-off teams, the Meta
    inbox to sync, the failed sends to resend or file away — refuse or ignore tenant B's id, while the
    same form with tenant A's id is stored."""
    from models.ai import AISettings
    from models.enums import DeliveryStatus
    from models.inbox import Inbox
    from models.message import Message
    from models.reply import MessageTemplate
    from models.user import Team

    with db.platform_session() as session:
        team_a, team_b = (row_for(session, Team, t, f"Equipe {t}") for t in (world.tenant_a, world.tenant_b))
        team_a_id, team_b_id = int(team_a.id), int(team_b.id)
        inbox_a = int(row_for(session, Inbox, world.tenant_a, "zzcaixaa").id)
        inbox_b = int(row_for(session, Inbox, world.tenant_b, "zzcaixab").id)
        meta_a, meta_b = (meta_inbox(session, t, "Meta", meta.url) for t in (world.tenant_a, world.tenant_b))
        resend_a, file_a = (
            failed_send(session, world.tenant_a, inbox_a, f"+551199999000{n}") for n in (1, 2)
        )
        failed_b = failed_send(session, world.tenant_b, inbox_b, "+5511999990009")
    problems: list[str] = []
    client = login_as("admin_a")

    def one(model: Any, **where: Any) -> Any:
        with db.platform_session() as s:
            return s.scalar(sa.select(model).filter_by(**where))

    # An inbox's default team, on create and on edit.
    new_inbox = {"channel_type": "evolution", "cred-evolution-base_url": "http://127.0.0.1:9",
                 "cred-evolution-api_key": "evo-key"}  # fmt: skip
    for name, team in (("caixab", team_b_id), ("caixaa", team_a_id)):
        chosen = {"name": name, "cred-evolution-instance": name, "default_team_id": str(team)}
        post_form(client, "/admin/inboxes/new/", {**new_inbox, **chosen})
    if one(Inbox, default_team_id=team_b_id) is not None:
        problems.append("inboxes new: stored with tenant B's team")
    if getattr(one(Inbox, name="caixaa"), "default_team_id", None) != team_a_id:
        problems.append("inboxes new: tenant A's own team was refused too")
    edit = f"/admin/inboxes/edit/?id={inbox_a}"
    data = form_with(client.get(edit).get_data(as_text=True), "default_team_id").data()
    client.post(edit, data={**data, "default_team_id": str(team_b_id)})
    if one(Inbox, id=inbox_a).default_team_id is not None:
        problems.append("inboxes edit: stored tenant B's team")
    client.post(edit, data={**data, "default_team_id": str(team_a_id)})
    if one(Inbox, id=inbox_a).default_team_id != team_a_id:
        problems.append("inboxes edit: tenant A's own team was refused too")

    # The AI's hand-off: one team per group of reasons, and the default.
    ai_form = form_with(client.get("/admin/ai/").get_data(as_text=True), "handoff_default")
    handoff = [f.name for f in ai_form.fields if f.name.startswith("handoff_")]
    assert len(handoff) > 1
    for team in (team_b_id, team_a_id):
        client.post("/admin/ai/", data={**ai_form.data(), **dict.fromkeys(handoff, str(team))})
        rules = one(AISettings, tenant_id=world.tenant_a).handoff_rules or {}
        picked = [*dict(rules.get("teams") or {}).values(), rules.get("default_team")]
        if team == team_b_id and team_b_id in picked:
            problems.append("ai hand-off: stored tenant B's team")
        if team == team_a_id and picked.count(team_a_id) != len(handoff):
            problems.append(f"ai hand-off: tenant A's own team was refused too ({rules})")

    # The Meta inbox whose templates to sync.
    for inbox in (meta_b, meta_a):
        post_form(client, "/admin/templates/sync/", {"inbox_id": str(inbox)}, "/admin/templates/")
    if one(MessageTemplate, inbox_id=meta_b) is not None:
        problems.append("templates sync: synced tenant B's inbox")
    if one(MessageTemplate, inbox_id=meta_a) is None:
        problems.append("templates sync: tenant A's own inbox was refused too")

    # The failed sends to resend or file away, posted to tenant A's inbox page.
    details = f"/admin/inboxes/details/?id={inbox_a}"
    for action, own in (("replay", resend_a), ("acknowledge", file_a)):
        for message in (failed_b, own):
            url = f"/admin/inboxes/{action}/?id={inbox_a}"
            post_form(client, url, {"message_id": str(message)}, details)
        b, a = one(Message, id=failed_b), one(Message, id=own)
        if b.status is not DeliveryStatus.FAILED or "acknowledged_at" in (b.raw or {}):
            problems.append(f"inboxes {action}: touched tenant B's message")
        if a.status is DeliveryStatus.FAILED and "acknowledged_at" not in (a.raw or {}):
            problems.append(f"inboxes {action}: tenant A's own message was refused too")
    assert not problems, "\n".join(problems)


# Fields of the pages' own forms that take an id, each proven above by
# test_custom_forms_ignore_another_tenants_ids: (endpoint the form posts to, field name pattern).
CUSTOM_ID_FIELDS = {
    ("admin_inboxes.create_view", "default_team_id"),
    ("admin_inboxes.edit_view", "default_team_id"),
    ("admin_ai.index", "handoff_*"),
    ("admin_templates.sync_view", "inbox_id"),
    ("admin_inboxes.replay_view", "message_id"),
    ("admin_inboxes.acknowledge_view", "message_id"),
}


def _matches(pattern: tuple[str, str], endpoint: str, name: str) -> bool:
    return fnmatch(endpoint, pattern[0]) and fnmatch(name, pattern[1])


# Fields that look like ids but choose no row another tenant could own: (endpoint, field) → why.
NOT_OUR_ROWS = {
    ("*.delete_view", "id"): "the row deleted: get_one, 404 for another tenant's (the walk at the top)",
    ("admin_inboxes.*", "cred-*"): "a provider's own ids typed in (Meta's phone number and WABA ids)",
}


def test_every_id_field_under_admin_is_walked(
    app: Any, db: Any, world: World, login_as: Any, meta: Any
) -> None:
    """Every POST form a tenant admin is shown under /admin (each view's list, new, edit and details pages,
    with rows of every kind), scanned for fields taking a row id: each is a relationship field the walk
    above posts tenant B's ids into, a custom field proven in test_custom_forms_ignore_another_tenants_ids,
    or the id of the row being deleted. A new id field fails here until a test proves it scoped."""
    from models.inbox import Inbox
    from models.user import Team

    with db.platform_session() as session:
        row_for(session, Team, world.tenant_a, "Equipe")
        inbox = int(row_for(session, Inbox, world.tenant_a, "zzcaixa").id)
        failed_send(session, world.tenant_a, inbox, "+5511999990001")
        meta_inbox(session, world.tenant_a, "Meta", meta.url)
        pks = {
            view.endpoint: int(row_for(session, view.model, world.tenant_a, f"zzscan{n}x").id)
            for n, view in enumerate(tenant_model_views(app))
        }
    client = login_as("admin_a")
    person = world.people["admin_a"]
    relations = {
        (f"{view.endpoint}.{page}", relation.name)
        for view in tenant_model_views(app)
        for relation in relationship_fields(app, view, person)
        for page in ("create_view", "edit_view")
    }
    adapter = app.url_map.bind("localhost")
    seen: set[tuple[str, str]] = set()
    unproven: list[str] = []
    for view in all_views(app):
        base = index_url(view)
        urls = [base]
        if view.endpoint in pks:
            pk = pks[view.endpoint]
            urls += [f"{base}new/", f"{base}edit/?id={pk}", f"{base}details/?id={pk}"]
            urls += [f"{base}details/?id={inbox}"] if view.model is Inbox else []
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            forms = post_forms(response.get_data(as_text=True))
            for form, action in ((f, action) for f in forms for action in f.actions()):
                endpoint, _args = adapter.match(urlsplit(action or url).path, method="POST")
                for field in form.fields:
                    if not field.takes_an_id():
                        continue
                    custom = {c for c in CUSTOM_ID_FIELDS if _matches(c, endpoint, field.name)}
                    seen |= custom
                    if (
                        not custom
                        and (endpoint, field.name) not in relations
                        and not any(_matches(n, endpoint, field.name) for n in NOT_OUR_ROWS)
                    ):
                        unproven.append(f"{url}: {field.name} posted to {endpoint}")
    assert not unproven, "id fields no test proves scoped:\n" + "\n".join(sorted(set(unproven)))
    assert seen == CUSTOM_ID_FIELDS, f"not on any page any more: {CUSTOM_ID_FIELDS - seen}"
