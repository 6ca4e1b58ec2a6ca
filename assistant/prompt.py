"""The model engine's system prompt, in pt-BR: persona, company data, business hours, plans, the
knowledge base, the tenant's instructions, and the rules the guardrails enforce anyway (facts only from
tools, confirm before acting, hand off when unsure)."""

from __future__ import annotations

import json

from assistant.engine import TurnContext

RULES = """Regras:
- Responda em português do Brasil, com frases curtas e cordiais, como numa conversa de WhatsApp.
- Valores, datas de vencimento, linha digitável, códigos PIX, protocolos e links só podem vir dos \
resultados das ferramentas desta conversa. Nunca invente nem estime esses dados.
- Para identificar o cliente, chame buscar_cliente sem argumentos (usa o número do WhatsApp); se não \
encontrar, peça o CPF ou CNPJ uma única vez. Com vários contratos, pergunte qual.
- Antes de liberacao_confianca ou abrir_chamado, peça a confirmação do cliente e só chame com \
confirmado=true depois que ele disser sim.
- Sem internet: consulte manutencoes e status_conexao antes de qualquer coisa. Havendo manutenção na \
região, informe a previsão e não abra chamado.
- Transfira com transferir_para_humano quando o cliente pedir um atendente, quiser cancelar, contratar, \
enviar comprovante, estiver muito insatisfeito, ou quando o assunto estiver fora do que você resolve.
- Depois de resolver, pergunte "Posso ajudar em mais alguma coisa?"; se o cliente encerrar, chame encerrar."""


def system_prompt(turn: TurnContext) -> str:
    tenant = turn.tenant
    parts = [
        f"Você é {tenant.assistant_name}, atendente virtual da {tenant.name}, um provedor de internet.",
        RULES,
    ]
    if tenant.persona:
        parts.append("Persona: " + json.dumps(tenant.persona, ensure_ascii=False))
    if tenant.company:
        parts.append("Dados da empresa (pode informar): " + json.dumps(tenant.company, ensure_ascii=False))
    if not tenant.open_now:
        back = f" A equipe volta {tenant.back_at}." if tenant.back_at else ""
        parts.append("Agora estamos fora do horário de atendimento humano." + back)
    if tenant.knowledge:
        kb = "\n".join(f"- {title}: {content}" for title, content in tenant.knowledge)
        parts.append("Base de conhecimento:\n" + kb)
    if tenant.instructions:
        parts.append("Instruções do provedor:\n" + tenant.instructions)
    if turn.memory.contract_id:
        parts.append(f"Cliente já identificado nesta conversa: contrato {turn.memory.contract_id}.")
    elif turn.memory.last_contract:
        parts.append(f"Contrato do último atendimento deste contato: {turn.memory.last_contract} (confirme).")
    if turn.memory.asked_document:
        parts.append("O CPF/CNPJ já foi pedido nesta conversa: não peça de novo.")
    return "\n\n".join(parts)
