"""The waiting queue: "Em espera" longest wait first, the sorts and their keyset cursors, priority (set,
recorded, broadcast, sorted by), and the indexes that keep a tenant's queue off a sequential scan.
(Counts of a search on every tab, "Encerradas" included, are the browser's: tests/browser.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from models import Conversation, User
from models import conversation_list as listing
from models.base import utcnow
from models.enums import ConversationStatus, EventKind, Priority
from models.event import ConversationEvent
from models.outbox import OutboxEvent
from tests.api.conftest import World, add_conversation

S = ConversationStatus


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def _walk(api: Any, query: str, limit: int) -> list[int]:
    """Every id of every page, following next_cursor."""
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        url = f"/api/v1/conversations?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(url).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("paging did not end")


def _queue(db: Any, world: World, specs: list[tuple[int | None, int, Priority]]) -> list[int]:
    """Pending conversations of team Suporte: (waited minutes or None, minutes since the last message,
    priority). The last message is newest where the wait is longest, so the two orders disagree."""
    now = utcnow()
    ids = []
    with db.tenant_session(world.tenant) as session:
        for index, (waited, last, priority) in enumerate(specs):
            conv = add_conversation(
                session,
                world.tenant,
                world.inboxes["whatsapp"],
                name=f"Fila {index}",
                phone=f"+55219990{index:05d}",
                status=S.PENDING,
                team_id=world.teams["suporte"],
                minutes_ago=last,
            )
            conv.waiting_since = None if waited is None else now - timedelta(minutes=waited)
            conv.priority = priority
            ids.append(conv.id)
    return ids


def test_waiting_tab_lists_the_longest_wait_first(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Without `sort`, "Em espera" is by waiting_since ascending (never-waited last), whatever the
    latest activity; the other tabs keep newest activity first."""
    longest, middle, short, never = _queue(
        db,
        world,
        [
            (50, 1, Priority.NORMAL),
            (20, 2, Priority.NORMAL),
            (5, 30, Priority.NORMAL),
            (None, 0, Priority.NORMAL),
        ],
    )
    api = as_user("admin")
    ids = _ids(api.get(f"/api/v1/conversations?status=pending&team_id={world.teams['suporte']}"))
    assert ids[:3] == [longest, middle, short] and ids[-1] == never
    recent = _ids(
        api.get(f"/api/v1/conversations?status=pending&sort=recent&team_id={world.teams['suporte']}")
    )
    assert recent[:3] == [never, longest, world.convs["waiting"]]
    # Ana (an agent of Suporte) gets the same order under her visibility.
    assert _ids(as_user("ana").get("/api/v1/conversations?status=pending"))[:3] == [longest, middle, short]


def test_priority_sort_puts_urgent_first_then_the_longest_wait(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    low, urgent_short, normal, urgent_long, high = _queue(
        db,
        world,
        [
            (90, 1, Priority.LOW),
            (3, 2, Priority.URGENT),
            (60, 3, Priority.NORMAL),
            (30, 4, Priority.URGENT),
            (1, 5, Priority.HIGH),
        ],
    )
    query = f"status=pending&sort=priority&team_id={world.teams['suporte']}"
    ids = _ids(as_user("admin").get(f"/api/v1/conversations?{query}"))
    assert ids[:4] == [urgent_long, urgent_short, high, normal] and ids[-1] == low


def test_each_sort_pages_by_keyset_without_gaps_or_repeats(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """40 queued conversations with shared waits, shared priorities and some never waited: every sort,
    in pages of 7, returns each exactly once and in the order of one big page."""
    specs = [(None if i % 9 == 0 else 10 + i // 4, i // 3, list(Priority)[i % 4]) for i in range(40)]
    ids = _queue(db, world, specs)
    rank = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}

    def since(i: int) -> float:  # when the wait began, as a number that sorts (never waited: last)
        waited = specs[i][0]
        return float("inf") if waited is None else -waited

    expected = {
        "waiting": sorted(range(40), key=lambda i: (since(i), ids[i])),
        "recent": sorted(range(40), key=lambda i: (specs[i][1], -ids[i])),
        "priority": sorted(range(40), key=lambda i: (rank[specs[i][2]], since(i), ids[i])),
    }
    api = as_user("admin")
    for sort, order in expected.items():
        query = f"status=pending&sort={sort}"
        whole = _ids(api.get(f"/api/v1/conversations?{query}&limit=100"))
        assert [i for i in whole if i in ids] == [ids[i] for i in order], sort
        assert _walk(api, query, 7) == whole, sort


def test_a_cursor_is_refused_by_another_sort_and_a_sort_must_be_known(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    _queue(db, world, [(i, i, Priority.NORMAL) for i in range(5)])
    api = as_user("admin")
    cursor = api.get("/api/v1/conversations?status=pending&limit=2").get_json()["next_cursor"]
    assert cursor
    refused = api.get(f"/api/v1/conversations?status=pending&sort=recent&limit=2&cursor={cursor}")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "invalid_cursor"
    unknown = api.get("/api/v1/conversations?sort=oldest")
    assert unknown.status_code == 422 and unknown.get_json()["error"]["fields"] == ["sort"]


def test_setting_priority_records_an_event_and_broadcasts(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """PUT …/priority answers the conversation; the change is an event and a conversation.updated row;
    the same value again changes nothing."""
    conv_id = world.convs["waiting"]
    ana = as_user("ana")
    answer = ana.put(f"/api/v1/conversations/{conv_id}/priority", json={"priority": "urgent"})
    assert answer.status_code == 200 and answer.get_json()["priority"] == "urgent"
    again = ana.put(f"/api/v1/conversations/{conv_id}/priority", json={"priority": "urgent"})
    assert again.status_code == 200
    with db.tenant_session(world.tenant) as session:
        events = list(
            session.scalars(
                sa.select(ConversationEvent).where(
                    ConversationEvent.conversation_id == conv_id,
                    ConversationEvent.kind == EventKind.PRIORITY_CHANGED,
                )
            )
        )
        assert [(e.data, e.actor_user_id) for e in events] == [
            ({"from": "normal", "to": "urgent"}, world.users["ana"])
        ]
        assert session.get(Conversation, conv_id).priority_rank == 0
    with db.platform_session() as session:
        changes = [
            row.payload.get("change")
            for row in session.scalars(sa.select(OutboxEvent).where(OutboxEvent.tenant_id == world.tenant))
            if row.payload.get("conversation_id") == conv_id
        ]
    assert changes.count("priority") == 1
    history = ana.get(f"/api/v1/conversations/{conv_id}/events").get_json()["items"]
    assert [(e["kind"], e["priority"]) for e in history if e["priority"]] == [("priority_changed", "urgent")]
    listed = ana.get("/api/v1/conversations?status=pending").get_json()["items"]
    assert next(item for item in listed if item["id"] == conv_id)["priority"] == "urgent"


def test_priority_is_validated_and_follows_visibility(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    ana = as_user("ana")
    bad = ana.put(f"/api/v1/conversations/{world.convs['waiting']}/priority", json={"priority": "alta"})
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"] == ["priority"]
    for key in ("finance_waiting", "other"):  # another team's queue, another company: not found
        hidden = ana.put(f"/api/v1/conversations/{world.convs[key]}/priority", json={"priority": "high"})
        assert hidden.status_code == 404, key


def _plan(db: Any, tenant_id: int, stmt: sa.Select[Any]) -> str:
    compiled = stmt.compile(dialect=postgresql.dialect())
    with db.tenant_session(tenant_id) as session:
        connection = session.connection()
        rows = connection.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).all()
    return "\n".join(row[0] for row in rows)


def test_a_tenants_queue_reads_an_index_not_the_table(db, world: World) -> None:  # type: ignore[no-untyped-def]
    """With a few thousand conversations (two companies, a long queue each), the first page of one
    company's waiting queue, in its default order and sorted by priority, reads its index in order
    instead of sorting the whole queue."""
    now = utcnow()
    contacts = sa.table("contacts", sa.column("id"), sa.column("tenant_id"), sa.column("phone_e164"))
    with db.platform_session() as session:
        for tenant, inbox in (
            (world.tenant, world.inboxes["whatsapp"]),
            (world.other_tenant, world.inboxes["other"]),
        ):
            ids = (
                session.execute(
                    sa.insert(contacts).returning(contacts.c.id),
                    [{"tenant_id": tenant, "phone_e164": f"+55419{tenant:02d}{i:06d}"} for i in range(2000)],
                )
                .scalars()
                .all()
            )
            session.execute(
                sa.insert(Conversation),
                [
                    {
                        "tenant_id": tenant,
                        "inbox_id": inbox,
                        "contact_id": contact_id,
                        "status": "pending" if i % 2 == 0 else "closed",
                        "priority": "normal",
                        "waiting_since": now - timedelta(minutes=i) if i % 2 == 0 else None,
                        "last_message_at": now - timedelta(minutes=i),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i, contact_id in enumerate(ids)
                ],
            )
        session.execute(sa.text("ANALYZE conversations, contacts"))
    with db.tenant_session(world.tenant) as session:
        admin = session.get(User, world.users["admin"])
        session.expunge(admin)
    filters = listing.ConversationFilters(status=S.PENDING)
    for sort, index in (
        (listing.Sort.WAITING, "ix_conversations_tenant_id_status_waiting_since_id"),
        (listing.Sort.PRIORITY, "ix_conversations_tenant_id_status_priority_rank"),
    ):
        plan = _plan(db, world.tenant, listing.page_query(admin, filters, None, 41, sort))
        assert "Seq Scan on conversations" not in plan, plan
        assert index in plan, plan
    # An agent's queue (visibility by team) continuing after a cursor does not scan the table either.
    with db.tenant_session(world.tenant) as session:
        ana = session.get(User, world.users["ana"])
        session.expunge(ana)
    after = listing.Position(listing.Sort.WAITING, (now - timedelta(minutes=300), 10**6))
    plan = _plan(db, world.tenant, listing.page_query(ana, filters, after, 41, listing.Sort.WAITING))
    assert "Seq Scan on conversations" not in plan, plan
