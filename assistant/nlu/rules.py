"""High-precision phrases: when one of these is in a message the intent is near certain.

The statistical model (`assistant.nlu.model`) covers the long tail of phrasings; these patterns cover
what must never be missed ("2 via", "ja paguei", "quero cancelar", "atendente humano") and give the
model a second opinion. Patterns run on `normalize()`d text: no accents, abbreviations spelled out,
key-word typos fixed, so "vc ta sem net" is "voce esta sem internet" here.
"""

from __future__ import annotations

import re

_NET = r"(?:internet|conexao|sinal|wifi|rede|roteador|fibra)"
_FAIL = (
    r"(?:caiu|cai|caindo|parou|parada"
    r"|nao (?:esta |ta )?(?:funcion\w*|conecta\w*|pega\w*|navega\w*|abre|carrega\w*)"
    r"|lent[oa]|ruim|oscilando|instavel|travando|fora do ar|off|piscando|vermelh[oa]|desconect\w*|sumiu)"
)
PATTERNS: dict[str, tuple[str, ...]] = {
    "comprovante": (
        r"\bcomprovante\b",
        r"\bja (?:paguei|pagamos|pago|efetuei|fiz o pagamento|fiz o pix|quitei|transferi)\b",
        r"\b(?:paguei|pagamos|quitei) (?:ontem|hoje|agora|ja|a fatura|o boleto|a conta|certinho)\b",
        r"\b(?:fiz|mandei|enviei|segue) o (?:pix|pagamento|deposito)\b",
        r"\besta pago\b",
        r"\bsegue (?:o )?(?:print|foto|anexo)\b",
        r"\bpagamento (?:feito|efetuado|realizado)\b",
    ),
    "desbloqueio": (
        r"\bdesbloque\w*",
        r"\bbloquead[oa]s?\b",
        r"\bbloquearam\b",
        r"\b(?:libera|liberar|liberem|liberacao)\b",
        r"\bconfianca\b",
        r"\bpromessa de pagamento\b",
        r"\b(?:cortaram|cortou|suspenderam|suspens[ao])\b",
        r"\breativ\w*",
    ),
    "fatura": (
        r"\bfatura\b",
        r"\bboleto\b",
        r"\bsegunda via\b",
        r"\blinha digitavel\b",
        r"\bcodigo de barras\b",
        r"\b(?:codigo|chave|copia e cola) (?:do |de |para |pra )?pix\b",
        r"\bquanto (?:eu )?devo\b",
        r"\bmensalidade\b",
        r"\bvencimento\b",
        r"\bvence\b",
        r"\bdebitos?\b",
        r"\b(?:minha|a) conta\b.*\bpagar\b",
        r"\bquero pagar\b",
        r"\bem aberto\b",
    ),
    "sem_conexao": (
        rf"\bsem {_NET}\b",
        rf"\b{_NET}\b.{{0,30}}\b{_FAIL}",
        rf"\b{_FAIL}\b.{{0,20}}\b{_NET}\b",
        r"\bluz vermelha\b",
        r"\blos\b",
        r"\bnao (?:consigo|da para|to conseguindo|estou conseguindo)"
        r" (?:acessar|navegar|conectar|entrar|usar)\b",
        r"\bcaiu tudo\b",
        r"\bquedas?\b",
    ),
    "atendente": (
        r"\batendente\b",
        r"\bhumano\b",
        r"\bfalar com (?:alguem|uma pessoa|um atendente|gente|algum|voces|um humano|o suporte|pessoa)\b",
        r"\bpessoa (?:de verdade|real)\b",
        r"\brobo\b",
        r"\bbot\b",
        r"\bfalar com (?:o |a )?(?:gerente|responsavel|supervisor)\b",
        r"\bme liga\w*\b",
        r"\bquero atendimento\b",
    ),
    "contratar": (
        r"\bcontratar\b",
        r"\bassinar\b",
        r"\bplanos?\b.{0,25}\b(?:valor|preco|quanto|custa|tem|disponive\w*)\b",
        r"\b(?:quanto|valor|preco)\b.{0,25}\bplanos?\b",
        r"\bquanto custa\b",
        r"\b(?:colocar|instalar|ter) internet\b",
        r"\bcobertura\b",
        r"\batende[m]? (?:na |no |a |o )?(?:minha |meu )?(?:rua|bairro|regiao|cidade|endereco)\b",
        r"\bser cliente\b",
        r"\bnovo cliente\b",
        r"\bupgrade\b",
        r"\baumentar (?:a |o )?(?:velocidade|plano)\b",
    ),
    "cancelamento": (
        r"\bcancel(?:ar|amento|a|o|e|em)\b",
        r"\b(?:encerrar|rescindir|finalizar) (?:o |meu )?(?:contrato|plano|servico)\b",
        r"\bnao quero mais (?:a |o )?(?:internet|servico|plano)\b",
        r"\bdesistir\b",
        r"\brecolher (?:o )?(?:roteador|equipamento)\b",
    ),
    "chamado": (
        r"\bsenha\b",
        r"\bnome da rede\b",
        r"\bvisita\b",
        r"\btecnico\b",
        r"\bmudanca de endereco\b",
        r"\bmud(?:ar|ei|ando|ei de casa|anca)\b.{0,20}\b(?:endereco|casa|roteador|lugar)\b",
        r"\btroca\w* (?:o |de )?roteador\b",
        r"\bponto adicional\b",
        r"\bcabo\b",
        r"\bfio\b",
        r"\breparo\b",
        r"\bmudar de (?:casa|endereco)\b",
    ),
    "agradecimento": (
        r"^(?:muito )?obrigado\b",
        r"^valeu\b",
        r"^(?:eu )?agradeco\b",
        r"\bobrigado (?:pela|pelo|por)\b",
        r"^(?:ok |beleza |show |perfeito |otimo |blz )?(?:muito )?obrigado\W*$",
        r"^(?:👍|🙏|👏|❤️?|🙌)+$",
        r"^(?:resolveu|voltou|funcionou)\b.{0,20}\bobrigado\b",
    ),
    "saudacao": (r"^(?:oi|bom dia|boa tarde|boa noite|e ai|tudo bem|tudo bom|alo|👋)\b",),
}

COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    intent: tuple(re.compile(p) for p in patterns) for intent, patterns in PATTERNS.items()
}

# Words that only open a message: "oi bom dia tudo bem? queria a 2 via" is a request for the bill.
_OPENER = re.compile(
    r"^(?:(?:oi|ola|bom dia|boa tarde|boa noite|e ai|tudo bem|tudo bom|tudo certo|como vai|alo|hey|eai|"
    r"beleza|salve|moco|moca|amigo|amiga|mano|querida|querido|senhor|senhora|meu querido|por favor|"
    r"com licenca|"
    r"licenca|desculpa|desculpe|bom|boa|dia|tarde|noite|pessoal|gente|galera|ai|voce|esta|pode|me|"
    r"ajudar|ajuda|fazer|favor|uma|duvida|\?|!|,|\.|👋|🙂|😊|🙏)\s*)+"
)


def hits(norm: str) -> dict[str, int]:
    """How many patterns of each intent match `norm` (intents with none are absent)."""
    found: dict[str, int] = {}
    for intent, patterns in COMPILED.items():
        count = sum(1 for p in patterns if p.search(norm))
        if count:
            found[intent] = count
    return found


def strip_opening(norm: str) -> str:
    """`norm` without its greeting/politeness opening ("oi boa tarde tudo bem? ...")."""
    return _OPENER.sub("", norm, count=1).strip()
