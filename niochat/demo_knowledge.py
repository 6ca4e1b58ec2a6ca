"""The demo tenant's knowledge base: what a small ISP answers every day besides bills and connection.

`make run` seeds it, so `niochat ai try "qual o horario de atendimento"` answers from it on the demo.
The keys label `tests/data/kb_questions.tsv`, the labelled questions the matcher is measured on
(`assistant.knowledge`, docs/ai.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

# (key, title, content, tags: other words customers use for it, matched like the title)
DEMO_KNOWLEDGE: tuple[tuple[str, str, str, str], ...] = (
    (
        "horario",
        "Horário de atendimento",
        "Nosso atendimento com pessoas funciona de segunda a sexta, das 8h às 20h, e aos sábados, das 8h "
        "às 14h. A assistente virtual atende 24 horas, todos os dias, inclusive domingos e feriados.",
        "que horas abre fecha funciona sabado domingo feriado noite atendente horario de funcionamento",
    ),
    (
        "planos",
        "Planos e preços de internet fibra",
        "Temos dois planos de internet 100% fibra óptica, sem franquia de dados: FIBRA 300 (300 Mega) por "
        "R$ 89,90 por mês e FIBRA 600 (600 Mega) por R$ 119,90 por mês. Os dois incluem roteador Wi-Fi. "
        "Para contratar, é só pedir que eu chamo nossa equipe comercial.",
        "quanto custa valor preco mensalidade plano mais barato megas giga velocidade contratada "
        "tabela de precos franquia",
    ),
    (
        "senha_wifi",
        "Como trocar a senha ou o nome da rede Wi-Fi",
        "Para trocar a senha ou o nome da rede Wi-Fi: conecte-se ao roteador, abra o navegador no endereço "
        "192.168.0.1, entre com o usuário e a senha da etiqueta embaixo do aparelho, vá em Wireless/Wi-Fi, "
        "altere o nome da rede (SSID) ou a senha e salve. Os aparelhos precisam se conectar de novo com a "
        "senha nova.",
        "trocar mudar alterar senha wifi rede sem fio nome da rede ssid roteador esqueci a senha",
    ),
    (
        "pagamento",
        "Formas de pagamento: boleto, PIX, cartão",
        "Você pode pagar por boleto, por PIX (copia e cola ou QR code, compensa na hora) ou com cartão de "
        "crédito ou débito na nossa loja. Também aceitamos débito automático em conta.",
        "pagar cartao credito debito pix boleto debito automatico parcelar forma de pagamento",
    ),
    (
        "instalacao",
        "Instalação: prazo e taxa",
        "A instalação é gratuita e feita em até 3 dias úteis depois da contratação, com hora marcada. Um "
        "técnico leva e configura o roteador Wi-Fi.",
        "instalar instalacao taxa gratis prazo dias tecnico vem instalar",
    ),
    (
        "fidelidade",
        "Fidelidade e multa de cancelamento",
        "Os planos têm fidelidade de 12 meses. Se cancelar antes, a multa é proporcional aos meses que "
        "faltam. Depois de 12 meses não há multa.",
        "fidelidade contrato minimo carencia 12 meses um ano multa",
    ),
    (
        "loja",
        "Endereço da loja e atendimento presencial",
        "Nossa loja fica na Rua das Flores, 123, Centro. Atendimento presencial de segunda a sexta, das 9h "
        "às 18h.",
        "loja endereco da empresa escritorio atendimento presencial ir pessoalmente onde fica",
    ),
    (
        "vencimento",
        "Datas de vencimento disponíveis",
        "Você pode escolher o vencimento da fatura nos dias 5, 10, 15 ou 20 de cada mês. Para mudar a data, "
        "fale com o financeiro.",
        "data de vencimento dia de pagar mudar vencimento dia 5 10 15 20",
    ),
    (
        "velocidade",
        "Como testar a velocidade da internet",
        "Para medir a velocidade, use um computador ligado no roteador por cabo e faça o teste em "
        "speedtest.net. Pelo Wi-Fi a velocidade é menor, principalmente longe do roteador ou em aparelhos "
        "antigos.",
        "teste de velocidade speedtest medir megas chegando velocidade contratada cabo",
    ),
    (
        "roteador",
        "Roteador em comodato",
        "O roteador é nosso e fica com você em comodato (emprestado) enquanto durar o contrato. Se "
        "cancelar, ele deve ser devolvido na loja ou retirado por um técnico.",
        "roteador modem aparelho equipamento comodato emprestado devolver dono comprar",
    ),
    (
        "cobertura",
        "Área de cobertura",
        "Atendemos toda a área urbana da cidade e os bairros Jardim Primavera, Vila Nova e Santa Rita. "
        "Para saber se chegamos no seu endereço, informe o CEP que nossa equipe comercial confirma.",
        "cobertura bairro rua cidade atende chega fibra zona rural cep",
    ),
    (
        "mudanca",
        "Mudança de endereço",
        "Para mudar a internet de endereço, informe o novo endereço com CEP. A transferência é gratuita "
        "se o novo endereço estiver na nossa área de cobertura e é feita em até 5 dias úteis.",
        "mudar de endereco mudanca casa nova transferir levar a internet endereco novo",
    ),
)


def ensure_demo_knowledge(session: Session, tenant_id: int) -> None:
    """Adds the demo entries to a demo tenant that has no knowledge base yet (older demos too)."""
    from models.ai import KnowledgeEntry

    has_any = session.scalar(
        sa.select(sa.func.count()).select_from(KnowledgeEntry).where(KnowledgeEntry.tenant_id == tenant_id)
    )
    if has_any:
        return
    session.add_all(
        KnowledgeEntry(tenant_id=tenant_id, title=title, content=content, tags=tags.split(), source="demo")
        for _, title, content, tags in DEMO_KNOWLEDGE
    )
