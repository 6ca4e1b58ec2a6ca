"""The AI attendant's settings page: engine, model, key (write-only), persona, instructions, hand-off
rules — and "Testar uma mensagem", which runs `assistant.trial` exactly as `niochat ai try` does.

The engine choices mean what `niochat tenant ai` stores: "builtin" is the offline engine; a model
engine is "openai" (or Azure/Ollama/vLLM/any OpenAI-compatible server, which need a base URL). The
persona lives on the tenant (`Tenant.persona`), read by both engines' prompts and greetings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session

from admin.settings.common import Reader, SettingsError, mask
from assistant.policy import REASONS
from models.ai import AISettings
from models.tenant import Tenant
from models.user import Team

PROVIDERS: dict[str, LazyString] = {
    "builtin": _l("Embutido (offline, sem chave)"),
    "openai": _l("OpenAI"),
    "azure": _l("Azure OpenAI"),
    "ollama": _l("Ollama"),
    "vllm": _l("vLLM"),
    "compatible": _l("Outro compatível com a API da OpenAI"),
}
NEEDS_BASE_URL = frozenset({"azure", "ollama", "vllm", "compatible"})
# Hand-off goes to a team per reason group (`assistant.policy.team_for` reads these keys).
GROUPS: dict[str, LazyString] = {
    "atendimento": _l("Atendimento geral"),
    "financeiro": _l("Financeiro"),
    "suporte": _l("Suporte técnico"),
    "comercial": _l("Comercial"),
    "retencao": _l("Retenção (cancelamentos)"),
}
PERSONA_FIELDS = ("name", "tone", "greeting")
TRY_MAX = 2000


def load(session: Session, tenant_id: int) -> AISettings:
    """The tenant's row, created with the defaults when missing (every tenant gets one at creation)."""
    row = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == tenant_id))
    if row is None:
        row = AISettings(tenant_id=tenant_id)
        session.add(row)
        session.flush()
    return row


def persona(tenant: Tenant) -> dict[str, str]:
    """The persona as the form shows it (the demo spells the keys in Portuguese: read those too)."""
    stored = dict(tenant.persona or {})
    legacy = {"name": "nome", "tone": "tom", "greeting": "saudacao"}
    return {k: str(stored.get(k) or stored.get(legacy[k]) or "") for k in PERSONA_FIELDS}


def snapshot(row: AISettings, tenant: Tenant) -> dict[str, Any]:
    """What the audit log records: the key only as set/unset."""
    return {
        "enabled": row.enabled,
        "provider": row.provider,
        "base_url": row.base_url,
        "model": row.model,
        "api_key": mask(row.api_key),
        "temperature": row.temperature,
        "instructions": row.instructions,
        "handoff_rules": row.handoff_rules,
        "max_bot_turns": row.max_bot_turns,
        "burst_seconds": row.burst_seconds,
        "transcribe_audio": row.transcribe_audio,
        "analyse_sentiment": row.analyse_sentiment,
        "persona": persona(tenant),
    }


def _team(session: Session, reader: Reader, name: str) -> int | None:
    raw = str(reader.data.get(name) or "").strip()
    if not raw or raw == "__None":
        return None
    try:
        team = session.get(Team, int(raw))
    except ValueError:
        team = None
    if team is None:  # another tenant's id is not found in a tenant session either
        reader.problems[name] = str(_l("Equipe não encontrada."))
        return None
    return team.id


def handoff_rules(session: Session, reader: Reader, stored: Mapping[str, Any]) -> dict[str, Any]:
    """Form → `handoff_rules`; rules per single reason (set by the CLI or the demo) are kept."""
    teams = {k: v for k, v in dict(stored.get("teams") or {}).items() if k in REASONS}
    for group in GROUPS:
        team = _team(session, reader, f"handoff_{group}")
        if team is not None:
            teams[group] = team
    rules: dict[str, Any] = {k: v for k, v in stored.items() if k not in ("teams", "default_team")}
    rules["teams"] = teams
    default = _team(session, reader, "handoff_default")
    if default is not None:
        rules["default_team"] = default
    return rules


def save(session: Session, tenant_id: int, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate and store the whole form; returns (before, after) for the audit log. A blank key keeps
    the stored one; `clear_api_key` removes it. SettingsError lists every bad field, nothing stored."""
    row = load(session, tenant_id)
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    before = snapshot(row, tenant)
    r = Reader(data)
    provider = r.choice("provider", PROVIDERS, "builtin")
    base_url = r.url("base_url", required=provider in NEEDS_BASE_URL)
    model = r.text("model", required=provider != "builtin", max_len=120) or row.model
    api_key = r.text("api_key", max_len=500)
    values = {
        "enabled": r.flag("enabled"),
        "temperature": r.number("temperature", 0.0, 2.0, row.temperature),
        "instructions": r.text("instructions", max_len=20_000),
        "max_bot_turns": r.integer("max_bot_turns", 1, 100, row.max_bot_turns),
        "burst_seconds": r.number("burst_seconds", 0.0, 60.0, row.burst_seconds),
        "transcribe_audio": r.flag("transcribe_audio"),
        "analyse_sentiment": r.flag("analyse_sentiment"),
    }
    rules = handoff_rules(session, r, dict(row.handoff_rules or {}))
    new_persona = {k: r.text(f"persona_{k}", max_len=500) for k in PERSONA_FIELDS}
    r.done()
    row.provider, row.base_url, row.model = provider, base_url, model
    for key, value in values.items():
        setattr(row, key, value)
    if api_key:
        row.api_key = api_key
    elif r.flag("clear_api_key"):
        row.api_key = None
    row.handoff_rules = rules
    stored = {k: v for k, v in dict(tenant.persona or {}).items() if k not in ("nome", "tom", "saudacao")}
    for key, value in new_persona.items():
        if value:
            stored[key] = value
        else:
            stored.pop(key, None)
    tenant.persona = stored  # a new dict: JSON columns notice reassignment, not mutation
    session.flush()
    return before, snapshot(row, tenant)


def try_message(db: Any, tenant_id: int, text: Any, phone: Any = None) -> dict[str, Any]:
    """One customer message through the tenant's attendant in a throwaway conversation: the report
    `niochat ai try --json` prints (intent, tools, replies, hand-off). Nothing is stored or sent."""
    from assistant.trial import tenant_trial

    message = str(text or "").strip()
    if not message:
        raise SettingsError({"message": str(_l("Escreva a mensagem do cliente."))})
    if len(message) > TRY_MAX:
        raise SettingsError({"message": str(_l("Mensagem longa demais."))})
    return tenant_trial(db, tenant_id, phone=str(phone or "").strip() or None).send(message)
