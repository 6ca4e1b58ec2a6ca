"""Months of plausible history for the demo tenant, so every dashboard page shows real shapes.

`niochat seed-demo --history 90d --conversations N` (and the first `make run`, with a few thousand):
arrivals follow business hours (peaks at 9–11 h and 14–16 h, Mondays busier, quiet weekends and
nights); most conversations start with the AI, which resolves some (a few customers come back within
72 h) and hands the rest to the teams with a reason; people wait in the queue longer at peaks and
overnight; agents reply, transfer now and then, and close; ~30 % answer the CSAT survey; customers'
messages carry a sentiment and an intent; the contract the AI looks up names the customer's POP (one
of four, the same for a customer every time). Rows are written with COPY (ids reserved from the
sequences) and the facts rebuilt at the end, so 100k conversations take a minute or two, not an hour.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.business_hours import BusinessCalendar
from models.enums import Role
from models.provisioning import create_team, create_user

EXTRA_AGENTS = [
    ("diego@demo.niochat.local", "Diego Agente", "Suporte Técnico"),
    ("elisa@demo.niochat.local", "Elisa Agente", "Suporte Técnico"),
    ("fabio@demo.niochat.local", "Fábio Agente", "Suporte Técnico"),
    ("gabi@demo.niochat.local", "Gabriela Agente", "Financeiro"),
    ("hugo@demo.niochat.local", "Hugo Agente", "Comercial"),
    ("iris@demo.niochat.local", "Íris Agente", "Retenção"),
]
HOUR_WEIGHT = [1, 0.5, 0.3, 0.3, 0.3, 0.6, 1.5, 4, 9, 12, 12, 10, 7, 8, 11, 11, 10, 8, 6, 4, 3, 2.5, 2, 1.5]
DAY_WEIGHT = {1: 1.35, 2: 1.1, 3: 1.0, 4: 1.0, 5: 0.95, 6: 0.55, 7: 0.35}
INTENTS: list[tuple[str, float, str, str]] = [
    # intent, weight, hand-off reason, team
    ("sem_internet", 0.30, "support", "Suporte Técnico"),
    ("segunda_via", 0.22, "billing", "Financeiro"),
    ("pix", 0.10, "payment_receipt", "Financeiro"),
    ("lentidao", 0.12, "support", "Suporte Técnico"),
    ("cancelamento", 0.07, "cancellation", "Retenção"),
    ("contratar", 0.08, "sales", "Comercial"),
    ("falar_atendente", 0.06, "customer_request", "Suporte Técnico"),
    ("outro", 0.05, "not_understood", "Suporte Técnico"),
]
TOOLS = {
    "sem_internet": ["consultar_cliente", "status_conexao"],
    "segunda_via": ["consultar_cliente", "segunda_via"],
    "pix": ["consultar_cliente", "pix"],
    "lentidao": ["consultar_cliente", "status_conexao"],
    "cancelamento": ["consultar_cliente"],
    "contratar": [],
    "falar_atendente": [],
    "outro": [],
}
# The provider's points of presence and their share of customers; a customer keeps one across conversations.
POPS: list[tuple[str, float]] = [
    ("POP Centro", 0.4), ("POP Jardim América", 0.25), ("POP Vila Nova", 0.2), ("POP Industrial", 0.15),
]  # fmt: skip
AI_RESOLVES = {"segunda_via": 0.65, "pix": 0.6, "sem_internet": 0.35, "lentidao": 0.3}
CSAT_THEMES = ["atendimento demorado", "problema não resolvido", "cordialidade", "preço", "instabilidade"]
LABELS = {"sem_internet": "Sem internet", "lentidao": "Lentidão", "segunda_via": "Financeiro",
          "pix": "Financeiro", "cancelamento": "Cancelamento"}  # fmt: skip


@dataclass
class Cast:
    """Who the demo tenant has: inboxes (id, channel), agents per team, labels by name."""

    tenant_id: int
    inboxes: list[int]
    teams: dict[str, int]
    agents: dict[str, list[int]]
    labels: dict[str, int]
    calendar: BusinessCalendar


@dataclass
class Rows:
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    conversations: list[tuple[Any, ...]] = field(default_factory=list)
    messages: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    labels: list[tuple[Any, ...]] = field(default_factory=list)
    surveys: list[tuple[Any, ...]] = field(default_factory=list)
    responses: list[tuple[Any, ...]] = field(default_factory=list)


def ensure_cast(session: Session, tenant_id: int) -> Cast:
    """The demo's inboxes, teams and labels, plus a few more agents and a Retenção team (idempotent)."""
    from models import Inbox, Label, Team, Tenant, User

    teams = {t.name: t.id for t in session.scalars(sa.select(Team).where(Team.tenant_id == tenant_id))}
    if "Retenção" not in teams:
        teams["Retenção"] = create_team(session, tenant_id=tenant_id, name="Retenção").id
    for email, name, team in EXTRA_AGENTS:
        if session.scalar(sa.select(User.id).where(User.email == email)) is None:
            user = create_user(session, tenant_id=tenant_id, email=email, name=name,
                               password="niochat-demo", role=Role.AGENT)  # fmt: skip  # noqa: S106
            session.flush()
            session.execute(
                sa.text("INSERT INTO team_members (tenant_id, team_id, user_id) VALUES (:t, :team, :u)"),
                {"t": tenant_id, "team": teams[team], "u": user.id},
            )
    session.flush()
    members = session.execute(
        sa.text("SELECT team_id, user_id FROM team_members WHERE tenant_id = :t ORDER BY user_id"),
        {"t": tenant_id},
    ).all()
    by_team: dict[str, list[int]] = {name: [] for name in teams}
    names = {v: k for k, v in teams.items()}
    for team_id, user_id in members:
        by_team[names[team_id]].append(user_id)
    for name in by_team:
        by_team[name] = by_team[name] or [uid for uids in by_team.values() for uid in uids][:1]
    inboxes = list(
        session.scalars(sa.select(Inbox.id).where(Inbox.tenant_id == tenant_id).order_by(Inbox.id))
    )
    labels = {lb.name: lb.id for lb in session.scalars(sa.select(Label).where(Label.tenant_id == tenant_id))}
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    return Cast(tenant_id, inboxes, teams, by_team, labels,
                BusinessCalendar.from_config(tenant.business_hours, tenant.timezone))  # fmt: skip


def _reserve(session: Session, table: str, n: int) -> list[int]:
    if n == 0:
        return []
    return list(
        session.scalars(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"n": n, "table": table},
        )
    )


class Writer:
    """Builds the rows of one conversation at a time; ids come from reserved blocks."""

    def __init__(self, session: Session, cast: Cast, rng: random.Random, n: int, seed: int = 13) -> None:
        self.cast, self.rng, self.rows = cast, rng, Rows()
        # POPs draw from their own stream, so the rest of the history is what it was before POPs existed.
        self.pop_rng = random.Random(f"pops-{seed}")
        self.pops: dict[int, str] = {}
        self.conv_ids = iter(_reserve(session, "conversations", n))
        self.msg_ids = iter(_reserve(session, "messages", n * 14))
        self.event_ids = iter(_reserve(session, "conversation_events", n * 9))
        self.survey_ids = iter(_reserve(session, "csat_surveys", n))
        self.response_ids = iter(_reserve(session, "csat_responses", n))
        self.contact_ids = iter(_reserve(session, "contacts", n))
        self.phone_base = 5511950000000 + int(session.scalar(sa.text("SELECT count(*) FROM contacts")) or 0)

    def contact(self, at: datetime) -> int:
        cid = next(self.contact_ids)
        phone = f"+{self.phone_base + cid}"
        name = self.rng.choice(
            ["Ana", "Bruno", "Carla", "Davi", "Eva", "Felipe", "Gil", "Helena", "Igor", "Júlia"]
        )
        self.rows.contacts.append((cid, self.cast.tenant_id, f"{name} {phone[-4:]}", phone, at, at))
        return cid

    def pop(self, contact: int) -> str:
        """The POP serving this customer's contract (the same in every conversation of theirs)."""
        if contact not in self.pops:
            self.pops[contact] = self.pop_rng.choices([p for p, _ in POPS], [w for _, w in POPS])[0]
        return self.pops[contact]

    def msg(
        self, conv: int, inbox: int, at: datetime, sender: str, user: int | None = None,
        sentiment: str | None = None, score: float | None = None, intent: str | None = None,
    ) -> None:  # fmt: skip
        direction = "inbound" if sender == "contact" else "outbound"
        status = None if direction == "inbound" else "read"
        text = {"contact": "Mensagem do cliente", "bot": "Resposta da Nina", "agent": "Resposta do atendente"}
        self.rows.messages.append(
            (next(self.msg_ids), self.cast.tenant_id, conv, inbox, direction, sender, user, "text",
             text[sender], status, sentiment, score, intent, at, at)
        )  # fmt: skip

    def event(self, conv: int, at: datetime, kind: str, actor: str, frm: str | None, to: str | None,
              user: int | None = None, assignee: int | None = None, team: int | None = None,
              reason: str | None = None, data: str = "{}") -> None:  # fmt: skip
        self.rows.events.append((next(self.event_ids), self.cast.tenant_id, conv, kind, actor, user, frm, to,
                                 assignee, team, reason, data, at))  # fmt: skip


def _arrival(rng: random.Random, start: datetime, days: int, tz: Any) -> datetime:
    while True:
        day = rng.randrange(days)
        local = (start + timedelta(days=day)).astimezone(tz)
        if rng.random() > DAY_WEIGHT[local.isoweekday()] / 1.35:
            continue
        hour = rng.choices(range(24), HOUR_WEIGHT)[0]
        at = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)
        return at.astimezone(UTC)


def _wait(rng: random.Random, cast: Cast, at: datetime) -> timedelta:
    """Queue time: minutes in hours, longer at peaks and on Monday mornings, until the next opening when
    closed."""
    opening = cast.calendar.next_opening(at) or at
    local = opening.astimezone(cast.calendar.tz)
    mean = (
        4.0
        + (6.0 if local.hour in (9, 10, 14, 15) else 0)
        + (8.0 if local.isoweekday() == 1 and local.hour < 12 else 0)
    )
    return (opening - at) + timedelta(minutes=rng.expovariate(1 / mean))


def conversation(w: Writer, at: datetime, contact: int, now: datetime) -> datetime | None:
    """One conversation from `at`; returns its close (None if still open at `now`)."""
    rng, cast, tid = w.rng, w.cast, w.cast.tenant_id
    conv, inbox = next(w.conv_ids), rng.choice(cast.inboxes)
    intent, _, reason, team_name = rng.choices(INTENTS, [i[1] for i in INTENTS])[0]
    team = cast.teams.get(team_name)
    with_ai = rng.random() < 0.75
    t = at
    first_status = "bot" if with_ai else "pending"
    w.event(conv, t, "created", "contact", None, first_status, team=None if with_ai else team)
    mood = rng.choices(["positive", "neutral", "negative"], [0.25, 0.55, 0.20])[0]
    negative = mood == "negative"

    def customer(when: datetime, feeling: str | None = None) -> None:
        feeling = feeling or rng.choices(["positive", "neutral", "negative"], [0.25, 0.55, 0.2])[0]
        score = {"positive": 0.6, "neutral": 0.0, "negative": -0.7}[feeling] + rng.uniform(-0.25, 0.25)
        w.msg(conv, inbox, when, "contact", sentiment=feeling, score=round(score, 3), intent=intent)

    customer(t, mood)
    status, agent, closed_at, closed_by, handed = first_status, None, None, "user", False
    if with_ai:
        t += timedelta(seconds=rng.uniform(2, 8))
        w.msg(conv, inbox, t, "bot")
        identified = False  # the customer lookup found the contract: later calls name its POP too
        for tool in TOOLS[intent]:
            t += timedelta(seconds=rng.uniform(1, 4))
            ok = rng.random() > 0.04
            identified = identified or (ok and tool == "consultar_cliente")
            data: dict[str, Any] = {"tool": tool, "ok": ok} | ({"pop": w.pop(contact)} if identified else {})
            w.event(conv, t, "tool_call", "bot", None, None, reason=f"IA consultou {tool}",
                    data=json.dumps(data, ensure_ascii=False))  # fmt: skip
        for _ in range(rng.randint(0, 3)):
            t += timedelta(seconds=rng.uniform(20, 120))
            customer(t)
            t += timedelta(seconds=rng.uniform(2, 8))
            w.msg(conv, inbox, t, "bot")
        resolves = rng.random() < AI_RESOLVES.get(intent, 0.05) * (0.5 if negative else 1.0)
        if resolves:
            t += timedelta(minutes=rng.uniform(1, 6))
            w.event(conv, t, "closed", "bot", "bot", "closed", reason="Encerrada pela IA")
            closed_at, closed_by = t, "bot"
        else:
            code = (
                "ai_guardrail"
                if rng.random() < 0.03
                else ("negative_sentiment" if negative and rng.random() < 0.3 else reason)
            )
            t += timedelta(seconds=rng.uniform(10, 90))
            w.event(conv, t, "handoff", "bot", "bot", "pending", team=team, reason=f"Transferência ({code})")
            status, handed = "pending", True
    if closed_at is None:
        t += _wait(rng, cast, t)
        if t > now:
            return None
        agent = rng.choice(cast.agents.get(team_name) or [a for v in cast.agents.values() for a in v])
        w.event(conv, t, "assigned", "user", status, "open", user=agent, assignee=agent)
        status = "open"
        t += timedelta(seconds=rng.uniform(20, 240))
        w.msg(conv, inbox, t, "agent", user=agent)
        for _ in range(rng.randint(1, 6)):
            t += timedelta(minutes=rng.expovariate(1 / 3))
            customer(t)
            t += timedelta(minutes=rng.expovariate(1 / 2))
            w.msg(conv, inbox, t, "agent", user=agent)
        if rng.random() < 0.08:
            other_team = rng.choice(list(cast.teams))
            t += timedelta(minutes=rng.uniform(1, 5))
            w.event(conv, t, "transferred", "user", "open", "pending", user=agent,
                    team=cast.teams[other_team], reason="Assunto de outra equipe")  # fmt: skip
            t += _wait(rng, cast, t)
            agent = rng.choice(cast.agents.get(other_team) or [agent])
            w.event(conv, t, "assigned", "user", "pending", "open", user=agent, assignee=agent)
            t += timedelta(minutes=rng.uniform(0.5, 4))
            w.msg(conv, inbox, t, "agent", user=agent)
        t += timedelta(minutes=rng.uniform(1, 15))
        if t > now:
            return None
        w.event(conv, t, "closed", "user", "open", "closed", user=agent)
        closed_at = t
        if rng.random() < 0.05:
            t += timedelta(hours=rng.uniform(1, 30))
            if t < now:
                w.event(conv, t, "reopened", "user", "closed", "open", user=agent, assignee=agent)
                t += timedelta(minutes=rng.uniform(2, 30))
                w.msg(conv, inbox, t, "agent", user=agent)
                t += timedelta(minutes=rng.uniform(1, 10))
                w.event(conv, t, "closed", "user", "open", "closed", user=agent)
                closed_at = t
    if closed_at > now:
        return None
    routed = team if handed or not with_ai else None
    by_ai = closed_by == "bot" and agent is None
    w.rows.conversations.append(
        (conv, tid, inbox, contact, "closed", agent, routed, at, t, closed_at, by_ai, "normal")
    )
    if intent in LABELS and LABELS[intent] in cast.labels and rng.random() < 0.6:
        w.rows.labels.append((tid, conv, cast.labels[LABELS[intent]]))
    _csat(w, conv, contact, inbox, agent, team, closed_at, negative, agent is None)
    return closed_at


def _csat(w: Writer, conv: int, contact: int, inbox: int, agent: int | None, team: int | None,
          closed_at: datetime, negative: bool, ai_only: bool) -> None:  # fmt: skip
    rng = w.rng
    if rng.random() > 0.9:
        return  # skipped (no survey)
    sid, sent = next(w.survey_ids), closed_at + timedelta(seconds=90)
    answered = rng.random() < 0.3
    w.rows.surveys.append((sid, w.cast.tenant_id, conv, contact, inbox, agent, team, ai_only,
                           "answered" if answered else "expired", sent, sent, sent + timedelta(hours=24),
                           sent + timedelta(minutes=3) if answered else None))  # fmt: skip
    if not answered:
        return
    weights = [0.25, 0.2, 0.2, 0.2, 0.15] if negative else [0.03, 0.04, 0.1, 0.33, 0.5]
    score = rng.choices([1, 2, 3, 4, 5], weights)[0]
    themes = [rng.choice(CSAT_THEMES)] if score <= 3 else (["cordialidade"] if rng.random() < 0.3 else [])
    themes_json = "[" + ",".join(f'"{t}"' for t in themes) + "]"
    w.rows.responses.append((next(w.response_ids), w.cast.tenant_id, sid, score, str(score),
                             "button", themes_json, sent + timedelta(minutes=3)))  # fmt: skip


COPY_COLUMNS = {
    "contacts": "id, tenant_id, name, phone_e164, created_at, updated_at",
    "conversations": "id, tenant_id, inbox_id, contact_id, status, assignee_id, team_id, created_at, "
    "last_message_at, closed_at, resolved_by_ai, priority",
    "messages": "id, tenant_id, conversation_id, inbox_id, direction, sender_kind, sender_user_id, "
    "content_type, text, status, sentiment, sentiment_score, intent, created_at, updated_at",
    "conversation_events": "id, tenant_id, conversation_id, kind, actor_kind, actor_user_id, from_status, "
    "to_status, to_assignee_id, to_team_id, reason, data, created_at",
    "conversation_labels": "tenant_id, conversation_id, label_id",
    "csat_surveys": "id, tenant_id, conversation_id, contact_id, inbox_id, agent_id, team_id, handled_by_ai, "
    "status, scheduled_for, sent_at, expires_at, answered_at",
    "csat_responses": "id, tenant_id, survey_id, score, raw_text, interpreted_by, themes, created_at",
}


def _copy(session: Session, table: str, rows: Iterable[Sequence[Any]]) -> None:
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({COPY_COLUMNS[table]}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def seed_history(session: Session, tenant_id: int, *, days: int, conversations: int, seed: int = 13) -> int:
    """Write `conversations` closed conversations over the last `days` days; returns how many were
    written (a few that would still be open now are dropped)."""
    rng = random.Random(seed)
    cast = ensure_cast(session, tenant_id)
    now = datetime.now(UTC)
    start = now - timedelta(days=days)
    w = Writer(session, cast, rng, conversations, seed)
    arrivals = sorted(_arrival(rng, start, days, cast.calendar.tz) for _ in range(conversations))
    contacts: list[tuple[int, datetime]] = []  # (contact, last close)
    for at in arrivals:
        # About one conversation in eight is a customer coming back (recent ones: within days).
        back = [c for c in contacts[-200:] if c[1] < at] if rng.random() < 0.12 else []
        contact = rng.choice(back)[0] if back else w.contact(at)
        closed = conversation(w, at, contact, now)
        if closed is not None:
            contacts.append((contact, closed))
    used = {c for c, _ in contacts}
    rows = w.rows
    done = {c[0] for c in rows.conversations}
    rows.contacts = [c for c in rows.contacts if c[0] in used]
    loads = [("contacts", rows.contacts), ("conversations", rows.conversations),
             ("messages", [m for m in rows.messages if m[2] in done]),
             ("conversation_events", [e for e in rows.events if e[2] in done]),
             ("conversation_labels", rows.labels), ("csat_surveys", rows.surveys),
             ("csat_responses", rows.responses)]  # fmt: skip
    for table, data in loads:
        _copy(session, table, data)
    # Statistics now, as after any bulk load: the facts backfill runs next, before autovacuum's ANALYZE,
    # and planned on the tables' old statistics (empty, or a test's few rows) it took minutes of CPU
    # where it needs a tenth of a second.
    for table, _ in loads:
        session.execute(sa.text(f"ANALYZE {table}"))
    return len(rows.conversations)


FIRST_RUN_CONVERSATIONS = 3000
FIRST_RUN_DAYS = 90


def seed_first_run(db: Any, tenant_id: int) -> int:
    """The first `make run`: a small history (a few seconds) and its facts, so every page shows data."""
    from models.facts_refresh import backfill

    with db.tenant_session(tenant_id) as session:
        written = seed_history(session, tenant_id, days=FIRST_RUN_DAYS, conversations=FIRST_RUN_CONVERSATIONS)
    with db.tenant_session(tenant_id) as session:
        backfill(session, tenant_id)
    return written
