"""A throwaway conversation with a tenant's attendant, for operators: `niochat ai try` and `ai chat`.

The same engines, tools, guardrails and hand-off policy as a real conversation, against the tenant's
SGP, but nothing is stored and nothing is sent: memory lives in this object, once-only actions in
memory too. Without a tenant it runs the built-in engine with no SGP (tools answer "not configured"),
so it never needs the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from assistant.context import EngineConfig, ai_settings, engine_config, profile
from assistant.engine import Engine, HistoryItem, TenantProfile, TurnContext
from assistant.memory import Memory
from assistant.policy import normalize_reason, team_for
from assistant.runner import make_engine, think
from assistant.tools.base import Budget, MemoryOnceGuard, ToolBox
from models.ai import AISettings
from models.sgp import SgpIntegration, sgp_config
from models.tenant import Tenant
from models.user import Team


@dataclass
class Trial:
    profile: TenantProfile
    settings: AISettings
    engine: Engine
    sgp: Any = None  # SgpConfig
    allow_trust_unlock: bool = True
    allow_open_ticket: bool = True
    teams: dict[int, str] = field(default_factory=dict)
    handoff_team: Any = None  # callable(reason) -> team name | None
    phone: str | None = None
    memory: Memory = field(default_factory=Memory)
    history: list[HistoryItem] = field(default_factory=list)
    once: MemoryOnceGuard = field(default_factory=MemoryOnceGuard)

    def send(self, text: str) -> dict[str, Any]:
        """One customer message; the report `niochat ai try --json` prints."""
        now = datetime.now(UTC)
        client = None
        if self.sgp is not None:
            from integrations.sgp import SgpClient

            client = SgpClient(self.sgp)
        box = ToolBox(
            client,
            once=self.once,
            budget=Budget(self.settings.max_tool_calls or 6, float(self.settings.run_budget_seconds or 45)),
            allow_trust_unlock=self.allow_trust_unlock,
            allow_open_ticket=self.allow_open_ticket,
            contact_phone=self.phone,
            today=now.astimezone(ZoneInfo("America/Sao_Paulo")).date(),
            contract_id=self.memory.contract_id,
        )
        turn = TurnContext(self.profile, [text], self.memory, box, box.today, now, list(self.history),
                           contact_phone=self.phone, max_turns=self.settings.max_bot_turns or 12)  # fmt: skip
        try:
            result = think(self.engine, turn)
        finally:
            if client is not None:
                client.close()
        if box.contract_id and box.contract_id != self.memory.contract_id:
            self.memory.identify(box.contract_id)
        replies = [r.text if r.text else f"[imagem {r.filename}]" for r in result.replies]
        self.history.append(HistoryItem("customer", text))
        self.history += [HistoryItem("assistant", r) for r in replies]
        handoff = None
        if result.handoff is not None:
            code = normalize_reason(result.handoff.reason)
            handoff = {"team": self.handoff_team(code) if self.handoff_team else None, "reason": code}
        return {
            "intent": result.intent,
            "confidence": None if result.confidence is None else round(result.confidence, 3),
            "sentiment": result.sentiment,
            "tools": [{"name": c.name, "arguments": c.arguments, "ok": c.ok} for c in box.calls],
            "replies": replies,
            "handoff": handoff,
        }


def offline_trial() -> Trial:
    settings = AISettings(provider="builtin", max_tool_calls=6, run_budget_seconds=45, max_bot_turns=12)
    return Trial(TenantProfile(name="NioChat"), settings, make_engine(EngineConfig("builtin")))


def tenant_trial(db: Any, tenant_id: int, *, phone: str | None = None) -> Trial:
    with db.tenant_session(tenant_id) as session:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        settings = ai_settings(session, tenant_id)
        integration = session.scalar(sa.select(SgpIntegration).where(SgpIntegration.enabled.is_(True)))
        names = {t.id: t.name for t in session.scalars(sa.select(Team))}
        rules = dict(settings.handoff_rules or {})
        teams_by_reason = {code: team_for(session, rules, code) for code in _reason_codes()}
        trial = Trial(
            profile(session, tenant, settings, datetime.now(UTC)),
            settings,
            make_engine(engine_config(settings)),
            sgp=sgp_config(integration) if integration is not None else None,
            allow_trust_unlock=integration.allow_trust_unlock if integration else False,
            allow_open_ticket=integration.allow_open_ticket if integration else False,
            teams=names,
            phone=phone,
        )
        session.expunge_all()
    trial.handoff_team = lambda code: names.get(teams_by_reason.get(code) or -1)
    return trial


def _reason_codes() -> list[str]:
    from assistant.policy import REASONS

    return list(REASONS)
