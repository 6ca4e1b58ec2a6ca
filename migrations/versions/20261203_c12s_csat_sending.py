"""CSAT sending: survey statuses delivered/read/skipped, reasons, cooldown, opt-out, close kind, status trigger

`csat_surveys.status` accepts `delivered`, `read` and `skipped`; `reason` (why skipped, cancelled or
failed) and `form` (list, keyboard, emoji, template) are new. `csat_settings.cooldown_hours` (default
24), `contacts.csat_opt_out` and `conversations.close_kind` (spam/merge get no survey) are new.

A trigger on `messages` keeps a survey in step with its message: when the survey message's delivery
status moves (sent by the outbound job, delivered/read/failed by the provider's status webhooks, from
whichever code path), the survey follows, and its first `sent` writes the `csat_sent` event. It fires
only for messages whose payload carries `csat_survey_id`, so other status updates pay nothing.

Revision ID: c12s
Revises: c11a
Create Date: 2026-12-03 21:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c12s"
down_revision: str | None = "c15a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("scheduled", "sent", "answered", "expired", "failed", "cancelled")
NEW_STATUSES = (*OLD_STATUSES, "delivered", "read", "skipped")

FOLLOW_MESSAGE = """
CREATE OR REPLACE FUNCTION csat_follow_message() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_survey csat_surveys%ROWTYPE;
    v_next text;
    v_form text;
BEGIN
    SELECT * INTO v_survey FROM csat_surveys
    WHERE id = (NEW.payload->>'csat_survey_id')::bigint AND message_id = NEW.id
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    -- Forward only, and never out of a final state (answered, expired, cancelled, skipped). A failed
    -- survey comes back to sent when the message does ("maybe sent" proved sent).
    v_next := CASE
        WHEN NEW.status = 'sent' AND v_survey.status IN ('scheduled', 'failed') THEN 'sent'
        WHEN NEW.status = 'delivered' AND v_survey.status IN ('scheduled', 'sent', 'failed') THEN 'delivered'
        WHEN NEW.status = 'read' AND v_survey.status IN ('scheduled', 'sent', 'delivered', 'failed')
            THEN 'read'
        WHEN NEW.status = 'failed' AND v_survey.status IN ('scheduled', 'sent', 'delivered', 'read')
            THEN 'failed'
    END;
    IF v_next IS NULL THEN
        RETURN NULL;
    END IF;
    -- A list the provider refused went out as the emoji text line (jobs.outbound's fallback).
    v_form := CASE WHEN NEW.content_type = 'text' THEN 'emoji' ELSE v_survey.form END;
    UPDATE csat_surveys SET
        status = v_next,
        form = v_form,
        sent_at = CASE WHEN v_next = 'failed' THEN sent_at
                       ELSE coalesce(sent_at, NEW.sent_at, now()) END,
        reason = CASE WHEN v_next = 'failed' THEN coalesce(NEW.error_code, 'send_failed') END,
        error = CASE WHEN v_next = 'failed' THEN NEW.error_text END,
        updated_at = now()
    WHERE id = v_survey.id;
    IF v_next <> 'failed' AND v_survey.sent_at IS NULL THEN
        INSERT INTO conversation_events (tenant_id, conversation_id, kind, actor_kind, data, created_at)
        VALUES (v_survey.tenant_id, v_survey.conversation_id, 'csat_sent', 'system',
                jsonb_build_object('survey_id', v_survey.id, 'form', v_form,
                                   'message_id', NEW.id), now());
    END IF;
    RETURN NULL;
END;
$$;
"""

TRIGGER = """
CREATE TRIGGER trg_messages_csat_follow
AFTER UPDATE OF status ON messages
FOR EACH ROW
WHEN (NEW.status IS DISTINCT FROM OLD.status AND NEW.payload ? 'csat_survey_id')
EXECUTE FUNCTION csat_follow_message();
"""


def _status_check(values: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_csat_surveys_csat_status"), "csat_surveys", type_="check")
    listed = ", ".join(f"'{v}'" for v in values)
    op.create_check_constraint("csat_status", "csat_surveys", f"status IN ({listed})")


def upgrade() -> None:
    _status_check(NEW_STATUSES)
    op.add_column("csat_surveys", sa.Column("reason", sa.String(length=64), nullable=True))
    op.add_column("csat_surveys", sa.Column("form", sa.String(length=16), nullable=True))
    op.create_index("ix_csat_surveys_message_id", "csat_surveys", ["message_id"], unique=False)
    op.create_index("ix_csat_surveys_tenant_id_id", "csat_surveys", ["tenant_id", "id"], unique=False)
    op.add_column(
        "csat_settings", sa.Column("cooldown_hours", sa.Integer(), server_default="24", nullable=False)
    )
    op.add_column(
        "contacts", sa.Column("csat_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("conversations", sa.Column("close_kind", sa.String(length=16), nullable=True))
    op.execute(FOLLOW_MESSAGE)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS trg_messages_csat_follow ON messages")
    op.execute("DROP FUNCTION IF EXISTS csat_follow_message()")
    op.drop_column("conversations", "close_kind")
    op.drop_column("contacts", "csat_opt_out")
    op.drop_column("csat_settings", "cooldown_hours")
    op.drop_index("ix_csat_surveys_tenant_id_id", table_name="csat_surveys")
    op.drop_index("ix_csat_surveys_message_id", table_name="csat_surveys")
    op.drop_column("csat_surveys", "form")
    op.drop_column("csat_surveys", "reason")
    op.execute("UPDATE csat_surveys SET status = 'sent' WHERE status IN ('delivered', 'read')")
    op.execute("UPDATE csat_surveys SET status = 'cancelled' WHERE status = 'skipped'")
    _status_check(OLD_STATUSES)
