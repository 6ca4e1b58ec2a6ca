"""The built-in engine's pt-BR replies. Values come only from tool results (see assistant.guardrails)."""

from __future__ import annotations

from typing import Any

MORE_HELP = "Posso ajudar em mais alguma coisa?"
HOW_CAN_I_HELP = "Como posso ajudar? Posso enviar a 2ª via da fatura, ver sua conexão ou liberar o acesso."
ASK_DOCUMENT = "Para localizar seu cadastro, me informe o CPF ou CNPJ do titular, por favor."
INVALID_DOCUMENT = (
    "Hum, esse CPF/CNPJ não parece correto — algum dígito pode ter saído trocado. "
    "Pode conferir e me mandar de novo?"
)
NOT_FOUND_DOCUMENT = (
    "Não encontrei nenhum cadastro com esse documento. Vou chamar alguém da equipe para ajudar você."
)
HOLDING = (
    "Estou com dificuldade para consultar o sistema agora. Vou transferir você para um atendente, "
    "só um instante."
)
TRANSFER = "Certo! Vou transferir você para um dos nossos atendentes. Só um instante, por favor."
NOT_UNDERSTOOD = (
    "Desculpe, não entendi. Posso ajudar com a 2ª via da fatura, problemas de conexão, "
    "liberação em confiança ou abrir um chamado. O que você precisa?"
)
NOT_UNDERSTOOD_AGAIN = "Desculpe, ainda não consegui entender. Vou chamar um atendente para ajudar você."
BYE = "Por nada! Foi um prazer ajudar. Até mais! 👋"
OK_NO = "Tudo bem, não vou fazer nada por enquanto. " + MORE_HELP
RECEIPT = "Recebi seu comprovante! Vou encaminhar para o setor financeiro conferir, só um instante."
CANCELLATION = (
    "Entendi que você quer falar sobre cancelamento. Vou chamar alguém da equipe para conversar com você."
)
SALES = "Que ótimo que você quer contratar! Vou chamar nossa equipe comercial para te atender."
NEGATIVE = "Sinto muito pelo transtorno. Vou chamar um atendente para resolver isso com você agora mesmo."
STEPS = (
    "Vamos tentar algumas coisas rápidas:\n"
    "1. Desligue o roteador e a ONU (o aparelho da fibra) da tomada;\n"
    "2. Aguarde 30 segundos e ligue de novo;\n"
    "3. Espere uns 2 minutos até as luzes estabilizarem e teste a conexão."
)
OFFER_TICKET = (
    "Se continuar sem internet, posso abrir um chamado técnico para você. Quer que eu abra? (sim/não)"
)
UNLOCK_DISABLED = (
    "A liberação em confiança precisa ser feita pela nossa equipe. Vou transferir você para o financeiro."
)


def greeting(persona: dict[str, Any], company: str, name: str | None) -> str:
    who = f"{persona['name']}, assistente virtual" if persona.get("name") else "a assistente virtual"
    hello = f"Olá, {name.split()[0].title()}!" if name else "Olá!"
    return f"{hello} Eu sou {who} da {company}. {HOW_CAN_I_HELP}"


def found_contract(name: str, contract: str) -> str:
    return f"Encontrei seu cadastro, {name.split()[0].title()} (contrato {contract})."


def confirm_last_contract(contract: str) -> str:
    return f"Da última vez falamos sobre o contrato {contract}. É esse mesmo? (sim/não)"


def choose_contract(contracts: list[dict[str, Any]]) -> str:
    lines = [f"{i}. Contrato {c['contrato']}" + (f" — {c['endereco']}" if c.get("endereco") else "")
             for i, c in enumerate(contracts, 1)]  # fmt: skip
    return "Encontrei mais de um contrato. Qual deles?\n" + "\n".join(lines)


def bills_intro(bills: list[dict[str, Any]]) -> str:
    if len(bills) == 1:
        return "Aqui está sua fatura em aberto:"
    lines = [f"• {b['vencimento']} — {b['valor']}" for b in bills]
    return f"Você tem {len(bills)} faturas em aberto (da mais antiga para a mais nova):\n" + "\n".join(lines)


def bill_detail(bill: dict[str, Any]) -> str:
    parts = [f"📄 Vencimento: {bill['vencimento']}\n💰 Valor: {bill['valor']}"]
    if bill.get("vencida"):
        parts[0] += " (vencida)"
    if bill.get("linha_digitavel"):
        parts.append(f"Linha digitável:\n{bill['linha_digitavel']}")
    if bill.get("link"):
        parts.append(f"Boleto: {bill['link']}")
    if bill.get("pix"):
        parts.append("O código PIX copia-e-cola vem na próxima mensagem, é só copiar:")
    return "\n\n".join(parts)


NO_BILLS = "Boa notícia: não há nenhuma fatura em aberto no seu contrato. ✅"


def outage(items: list[dict[str, Any]]) -> str:
    item = items[0]
    forecast = f" A previsão de normalização é {item['previsao']}." if item.get("previsao") else ""
    return (
        f"Identificamos uma manutenção na sua região: {item['descricao']}.{forecast} "
        "Nossa equipe já está trabalhando nisso — não é preciso abrir chamado. "
        "Pedimos desculpas pelo transtorno."
    )


SUSPENDED = (
    "Verifiquei aqui e sua conexão está suspensa por pendência financeira. "
    "Posso fazer a liberação em confiança agora para você usar enquanto regulariza o pagamento. "
    "Quer que eu libere? (sim/não)"
)
CONFIRM_UNLOCK = "Posso fazer a liberação em confiança da sua conexão agora? (sim/não)"


def unlocked(data: dict[str, Any]) -> str:
    days = f" por {data['dias']} dias" if data.get("dias") else ""
    until = f", até {data['data_promessa']}" if data.get("data_promessa") else ""
    protocol = f" Protocolo: {data['protocolo']}." if data.get("protocolo") else ""
    return (
        f"Pronto! Sua conexão foi liberada em confiança{days}{until}.{protocol} "
        "Pode levar alguns minutos para voltar; se precisar, reinicie o roteador."
    )


def unlock_refused(message: str | None) -> str:
    why = f" O sistema informou: {message}" if message else ""
    return f"Não consegui fazer a liberação em confiança.{why} Vou transferir você para o financeiro."


def online(message: str | None) -> str:
    return "Verifiquei aqui e sua conexão aparece ativa no nosso sistema. " + STEPS


def offline() -> str:
    return "Verifiquei aqui e seu equipamento aparece desconectado do nosso sistema. " + STEPS


CONFIRM_TICKET = "Quer que eu abra um chamado técnico para o seu contrato? (sim/não)"


def ticket_opened(protocol: str) -> str:
    return f"Chamado aberto! Seu protocolo é {protocol}. Nossa equipe técnica vai entrar em contato."


def after_hours(back_at: str | None) -> str:
    when = f" Nossa equipe volta {back_at}." if back_at else ""
    return (
        f"No momento estamos fora do horário de atendimento.{when} "
        "Sua conversa já está na fila e será respondida assim que possível."
    )
