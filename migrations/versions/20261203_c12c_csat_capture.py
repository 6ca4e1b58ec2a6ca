"""CSAT capture: only a rating (or the comment asked for) joins the closed conversation; csat_captures; csat_alert

`ingest_messages` used to store ANY message of a contact with a survey waiting on the closed conversation,
so "minha internet caiu de novo" counted as a rating and opened nothing. Now the caller's reading of the
text decides (assistant.csat): the function below is c10c's, copied exactly, with one change in the
lookup of the conversation (the block that names `csat_pending`, and `v_rating`). The ingestion hot path
is untouched: the survey lookup already ran only for a message without a conversation that is not closed.

`csat_captures` holds what happens after the answer, one row per answered survey: the comment window after
a low rating, the alert raised for supervisors, and the later rating that recovered it.
`conversation_events.kind` accepts `csat_alert`.

Revision ID: c12c
Revises: c11a
Create Date: 2026-12-03 22:00:00.000000
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "c12c"
down_revision: str | None = "c11i"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_KINDS = (
    "created",
    "status_changed",
    "assigned",
    "unassigned",
    "transferred",
    "handoff",
    "closed",
    "reopened",
    "priority_changed",
    "label_added",
    "label_removed",
    "csat_sent",
    "csat_answered",
    "snoozed",
    "unsnoozed",
    "tool_call",
)  # fmt: skip  (the kinds as of c11a)

FUNCTION = r"""
CREATE OR REPLACE FUNCTION ingest_messages(
    p_tenant_id bigint,
    p_inbox_id bigint,
    p_new_status varchar,  -- where a new conversation starts: bot (AI on) or pending
    p_team_id bigint,      -- the inbox's default team
    p_notify boolean,      -- webhooks notify screens; history recovery does not
    p_messages jsonb
) RETURNS TABLE (message_id bigint, conversation_id bigint, outcome text, outbox_ids bigint[])
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    m jsonb;
    v_pid varchar;
    v_phone varchar;
    v_chat bigint;
    v_from_me boolean;
    v_ts timestamptz;
    v_now timestamptz;
    v_owner bigint;
    v_seen timestamptz;
    v_latest timestamptz;
    v_dup boolean;
    v_contact bigint;
    v_conv bigint;
    v_status varchar;
    v_snoozed timestamptz;  -- the conversation's snoozed_until before this message
    v_rating boolean;  -- the waiting survey wants a rating (else: the comment after a low one)
    v_created boolean;
    v_reply_pid varchar;
    v_reply_to bigint;
    v_payload jsonb;
    v_msg bigint;
    v_ids bigint[];
    v_id bigint;
BEGIN
    FOR m IN SELECT value FROM jsonb_array_elements(p_messages) LOOP
        v_pid := m->>'provider_message_id';
        v_phone := m->>'phone_e164';
        v_chat := (m->>'telegram_chat_id')::bigint;
        v_from_me := (m->>'from_me')::boolean;
        v_ts := (m->>'timestamp')::timestamptz;
        v_now := clock_timestamp();
        v_created := false;

        -- One look for the usual case, a known customer writing into an open conversation: the
        -- inbox's owner, whether this is a redelivery, the contact and its conversation not closed.
        -- Two statements rather than one with an OR: each plans to its own unique index.
        IF v_chat IS NOT NULL THEN
            SELECT i.tenant_id, i.last_inbound_at,
                   EXISTS (SELECT 1 FROM messages d
                           WHERE d.inbox_id = i.id AND d.provider_message_id = v_pid),
                   ct.id, cv.id, cv.status, cv.snoozed_until
            INTO v_owner, v_seen, v_dup, v_contact, v_conv, v_status, v_snoozed
            FROM inboxes i
            LEFT JOIN contacts ct ON ct.tenant_id = p_tenant_id AND ct.telegram_chat_id = v_chat
            LEFT JOIN conversations cv ON cv.inbox_id = i.id AND cv.contact_id = ct.id
                 AND cv.status <> 'closed'
            WHERE i.id = p_inbox_id;
        ELSE
            SELECT i.tenant_id, i.last_inbound_at,
                   EXISTS (SELECT 1 FROM messages d
                           WHERE d.inbox_id = i.id AND d.provider_message_id = v_pid),
                   ct.id, cv.id, cv.status, cv.snoozed_until
            INTO v_owner, v_seen, v_dup, v_contact, v_conv, v_status, v_snoozed
            FROM inboxes i
            LEFT JOIN contacts ct ON ct.tenant_id = p_tenant_id AND ct.phone_e164 = v_phone
            LEFT JOIN conversations cv ON cv.inbox_id = i.id AND cv.contact_id = ct.id
                 AND cv.status <> 'closed'
            WHERE i.id = p_inbox_id;
        END IF;
        IF v_owner IS DISTINCT FROM p_tenant_id THEN
            RAISE EXCEPTION 'inbox % is not of tenant %', p_inbox_id, p_tenant_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF v_dup THEN
            message_id := NULL;
            conversation_id := NULL;
            outcome := 'duplicate';
            outbox_ids := '{}';
            RETURN NEXT;
            CONTINUE;
        END IF;

        IF v_conv IS NULL THEN
            -- A first message, or the first since the last conversation closed. The upsert locks
            -- the contact row, which serialises concurrent first messages of one person; the
            -- statements after it see what the winner committed, so they never open two
            -- conversations. The name comes only from the customer's own messages.
            IF v_chat IS NOT NULL THEN
                INSERT INTO contacts AS c (tenant_id, telegram_chat_id, name, last_seen_at, created_at, updated_at)
                VALUES (p_tenant_id, v_chat, m->>'name', CASE WHEN v_from_me THEN NULL ELSE v_now END,
                        v_now, v_now)
                ON CONFLICT (tenant_id, telegram_chat_id) DO UPDATE SET
                    name = coalesce(c.name, excluded.name),
                    updated_at = excluded.updated_at,
                    last_seen_at = coalesce(excluded.last_seen_at, c.last_seen_at)
                RETURNING c.id INTO v_contact;
            ELSE
                INSERT INTO contacts AS c (tenant_id, phone_e164, wa_id, name, last_seen_at, created_at, updated_at)
                VALUES (p_tenant_id, v_phone, m->>'wa_id', m->>'name',
                        CASE WHEN v_from_me THEN NULL ELSE v_now END, v_now, v_now)
                ON CONFLICT (tenant_id, phone_e164) DO UPDATE SET
                    name = coalesce(c.name, excluded.name),
                    updated_at = excluded.updated_at,
                    last_seen_at = coalesce(excluded.last_seen_at, c.last_seen_at),
                    wa_id = CASE WHEN excluded.last_seen_at IS NULL THEN c.wa_id ELSE excluded.wa_id END
                RETURNING c.id INTO v_contact;
            END IF;

            -- The conversation not closed, or the closed one whose CSAT survey this answers, or a new one.
            SELECT cv.id, cv.status, cv.snoozed_until INTO v_conv, v_status, v_snoozed FROM conversations cv
            WHERE cv.inbox_id = p_inbox_id AND cv.contact_id = v_contact AND cv.status <> 'closed';
            -- A survey waiting for this contact (live messages only: history recovery brings old ones,
            -- which go the usual way): a rating, or after a low one the comment asked for, is stored on
            -- the closed conversation; anything else opens a new one and the survey stays open. Only the
            -- caller can tell which (assistant.csat reads the text), so a message without its verdict
            -- (`csat`: {answer, comment}) comes back unstored as `csat_pending` and is sent again with
            -- one (models.csat_answers.settle_pending): a second round trip only for these messages.
            IF v_conv IS NULL AND NOT v_from_me AND p_notify THEN
                SELECT s.conversation_id, s.status <> 'answered' INTO v_conv, v_rating FROM csat_surveys s
                WHERE s.contact_id = v_contact AND s.inbox_id = p_inbox_id
                  AND ((s.status IN ('sent', 'delivered', 'read')
                        AND (s.expires_at IS NULL OR s.expires_at > v_ts))
                       OR (s.status = 'answered' AND EXISTS (
                            SELECT 1 FROM csat_captures c
                            WHERE c.survey_id = s.id AND c.comment_until > v_ts)))
                ORDER BY s.sent_at DESC LIMIT 1;
                IF v_conv IS NOT NULL THEN
                    IF m->'csat' IS NULL THEN
                        message_id := NULL;
                        conversation_id := v_conv;
                        outcome := 'csat_pending';
                        outbox_ids := '{}';
                        RETURN NEXT;
                        CONTINUE;
                    END IF;
                    IF coalesce((m->'csat'->>(CASE WHEN v_rating THEN 'answer' ELSE 'comment' END))::boolean,
                                false) THEN
                        v_status := 'closed';
                    ELSE
                        v_conv := NULL;
                    END IF;
                END IF;
            END IF;
            IF v_conv IS NULL THEN
                v_status := p_new_status;
                v_created := true;
                -- Born with this message's marks: the update below skips it.
                INSERT INTO conversations (
                    tenant_id, inbox_id, contact_id, status, team_id, priority, waiting_since,
                    last_message_at, last_inbound_at, last_outbound_at, first_reply_at, unread_count,
                    created_at, updated_at)
                VALUES (
                    p_tenant_id, p_inbox_id, v_contact, v_status, p_team_id, 'normal',
                    CASE WHEN v_status = 'pending' THEN v_now END,
                    v_ts,
                    CASE WHEN v_from_me THEN NULL ELSE v_ts END,
                    CASE WHEN v_from_me THEN v_ts END,
                    CASE WHEN v_from_me THEN v_ts END,
                    CASE WHEN v_from_me THEN 0 ELSE 1 END,
                    v_now, v_now)
                RETURNING id INTO v_conv;
                INSERT INTO conversation_events (
                    tenant_id, conversation_id, kind, actor_kind, to_status, to_team_id, data, created_at)
                VALUES (
                    p_tenant_id, v_conv, 'created', CASE WHEN v_from_me THEN 'user' ELSE 'contact' END,
                    v_status, p_team_id, jsonb_build_object('first_message', v_pid), v_now);
            END IF;
        END IF;

        v_reply_pid := m->>'reply_to_provider_id';
        v_reply_to := NULL;
        IF v_reply_pid IS NOT NULL THEN
            SELECT id INTO v_reply_to FROM messages
            WHERE inbox_id = p_inbox_id AND provider_message_id = v_reply_pid;
        END IF;
        v_payload := coalesce(m->'payload', '{}'::jsonb);
        IF (m->>'quoted')::boolean AND v_reply_to IS NULL THEN
            -- The quoted message predates us; history recovery may bring it.
            v_payload := v_payload || '{"quoted_unknown": true}'::jsonb;
        END IF;

        -- The message and everything it changes, in one statement. fromMe: typed by the business on
        -- its own phone (or another tool), so an agent's message. A concurrent delivery of the same
        -- message makes the insert return nothing, and then nothing else happens either.
        -- "last … at" columns only move forward: history arrives newest first. A CSAT answer (a
        -- closed conversation) gets no unread badge and does not open the 24-hour window.
        -- The contact's "last seen" is kept to the minute, not rewritten per message.
        -- A customer writing wakes a snoozed conversation ("Adiar até…"): it is listed again, in its
        -- queue, and an `unsnoozed` event says why. Only live deliveries (p_notify) wake it: history
        -- recovery brings old messages, which the agent chose to set aside.
        -- Screens learn of a new conversation from the message.created, which carries it:
        -- emitting conversation.created too doubled Socket.IO traffic.
        WITH msg AS (
            INSERT INTO messages (
                tenant_id, conversation_id, inbox_id, direction, sender_kind, content_type, text,
                payload, provider_message_id, provider_timestamp, reply_to_id, reply_to_provider_id, raw,
                status, sent_at, media_mime, media_size, media_filename, media_status, media_meta,
                created_at, updated_at)
            VALUES (
                p_tenant_id, v_conv, p_inbox_id,
                CASE WHEN v_from_me THEN 'outbound' ELSE 'inbound' END,
                CASE WHEN v_from_me THEN 'agent' ELSE 'contact' END,
                m->>'content_type', m->>'text', v_payload, v_pid, v_ts, v_reply_to,
                left(v_reply_pid, 255), nullif(m->'raw', 'null'::jsonb),
                CASE WHEN v_from_me THEN 'sent' END,
                CASE WHEN v_from_me THEN v_ts END,
                m->'media'->>'mime', (m->'media'->>'size')::bigint, m->'media'->>'filename',
                CASE WHEN jsonb_typeof(m->'media') = 'object' THEN 'pending' END,
                coalesce(m->'media'->'meta', '{}'::jsonb),
                v_now, v_now)
            ON CONFLICT (inbox_id, provider_message_id) DO NOTHING
            RETURNING id
        ), touched AS (
            UPDATE conversations cv SET
                last_message_at = greatest(coalesce(cv.last_message_at, v_ts), v_ts),
                last_inbound_at = CASE WHEN v_from_me OR v_status = 'closed' THEN cv.last_inbound_at
                                       ELSE greatest(coalesce(cv.last_inbound_at, v_ts), v_ts) END,
                unread_count = cv.unread_count
                               + CASE WHEN v_from_me OR v_status = 'closed' THEN 0 ELSE 1 END,
                last_outbound_at = CASE WHEN v_from_me THEN greatest(coalesce(cv.last_outbound_at, v_ts), v_ts)
                                        ELSE cv.last_outbound_at END,
                first_reply_at = CASE WHEN v_from_me THEN coalesce(cv.first_reply_at, v_ts)
                                      ELSE cv.first_reply_at END,
                snoozed_until = CASE WHEN v_from_me OR NOT p_notify THEN cv.snoozed_until END,
                updated_at = v_now
            FROM msg
            WHERE cv.id = v_conv AND NOT v_created
            RETURNING cv.id
        ), woke AS (
            INSERT INTO conversation_events (
                tenant_id, conversation_id, kind, actor_kind, from_status, to_status, data, created_at)
            SELECT p_tenant_id, v_conv, 'unsnoozed', 'contact', v_status, v_status,
                   jsonb_build_object('cause', 'message', 'snoozed_until', v_snoozed), v_now
            FROM touched
            WHERE v_snoozed IS NOT NULL AND NOT v_from_me AND p_notify
            RETURNING id
        ), seen AS (
            UPDATE contacts ct SET
                last_seen_at = v_now,
                updated_at = v_now,
                name = coalesce(ct.name, m->>'name'),
                wa_id = coalesce(m->>'wa_id', ct.wa_id)
            FROM msg
            WHERE ct.id = v_contact AND NOT v_from_me
              AND (ct.last_seen_at IS NULL OR ct.last_seen_at < v_now - interval '1 minute'
                   OR ct.wa_id IS DISTINCT FROM coalesce(m->>'wa_id', ct.wa_id)
                   OR (ct.name IS NULL AND m->>'name' IS NOT NULL))
            RETURNING ct.id
        ), queued AS (
            INSERT INTO outbox_events (tenant_id, topic, payload, created_at)
            SELECT p_tenant_id, e.topic, e.payload, v_now
            FROM msg CROSS JOIN LATERAL (VALUES
                (1, 'conversation.created', v_created,
                 jsonb_build_object('conversation_id', v_conv, 'notify', false)),
                (2, 'message.created', true,
                 jsonb_build_object(
                     'message_id', msg.id, 'conversation_id', v_conv,
                     'direction', CASE WHEN v_from_me THEN 'outbound' ELSE 'inbound' END,
                     'status', v_status, 'notify', p_notify, 'csat', v_status = 'closed')),
                (3, 'media.fetch', coalesce((m->>'fetch_media')::boolean, false),
                 jsonb_build_object('message_id', msg.id))
            ) AS e(n, topic, wanted, payload)
            WHERE e.wanted
            ORDER BY e.n
            RETURNING id
        )
        SELECT (SELECT id FROM msg), (SELECT array_agg(id ORDER BY id) FROM queued)
        INTO v_msg, v_ids;

        IF v_msg IS NULL THEN
            message_id := NULL;
            conversation_id := NULL;
            outcome := 'duplicate';
            outbox_ids := '{}';
            RETURN NEXT;
            CONTINUE;
        END IF;
        v_latest := greatest(v_latest, v_ts);
        message_id := v_msg;
        conversation_id := v_conv;
        outcome := 'created';
        outbox_ids := v_ids;
        RETURN NEXT;
    END LOOP;

    -- Ingestion health ("last inbound") to within a few seconds, not per delivery: every delivery
    -- rewriting the inbox row would serialise all webhooks of a busy number on its lock.
    IF v_latest > coalesce(v_seen, '-infinity') + interval '5 seconds' THEN
        UPDATE inboxes SET last_inbound_at = v_latest
        WHERE id = p_inbox_id
          AND (last_inbound_at IS NULL OR last_inbound_at < v_latest - interval '5 seconds');
    END IF;
END
$fn$
"""


def _event_kinds(kinds: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_conversation_events_event_kind"), "conversation_events", type_="check")
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.create_check_constraint(
        op.f("ck_conversation_events_event_kind"), "conversation_events", f"kind IN ({listed})"
    )


def upgrade() -> None:
    op.create_table(
        "csat_captures",
        sa.Column("survey_id", sa.BigInteger(), nullable=False),
        sa.Column("comment_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alert_score", sa.Integer(), nullable=True),
        sa.Column("reopened", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recovered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recovered_by_survey_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["csat_surveys.id"], name=op.f("fk_csat_captures_survey_id_csat_surveys"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recovered_by_survey_id"], ["csat_surveys.id"], name=op.f("fk_csat_captures_recovered_by_survey_id_csat_surveys"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_csat_captures_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_csat_captures")),
    )  # fmt: skip
    op.create_index(op.f("ix_csat_captures_tenant_id"), "csat_captures", ["tenant_id"], unique=False)
    _event_kinds((*EVENT_KINDS, "csat_alert"))
    op.execute(FUNCTION)


def _function_of_c10c() -> str:
    path = Path(__file__).with_name("20261203_c10c_snooze.py")
    spec = importlib.util.spec_from_file_location("ingest_function_c10c", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.FUNCTION)


def downgrade() -> None:
    op.execute(_function_of_c10c())
    op.execute("DELETE FROM conversation_events WHERE kind = 'csat_alert'")
    _event_kinds(EVENT_KINDS)
    op.drop_index(op.f("ix_csat_captures_tenant_id"), table_name="csat_captures")
    op.drop_table("csat_captures")
