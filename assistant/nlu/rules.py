"""High-precision phrases: when one of these is in a message the intent is near certain.

The statistical model (`assistant.nlu.model`) covers the long tail of phrasings; these patterns cover
what must never be missed ("2 via", "ja paguei", "quero cancelar", "atendente humano") and give the
model a second opinion. Patterns run on `normalize()`d text: no accents, abbreviations spelled out,
key-word typos fixed, so "vc ta sem net" is "voce esta sem internet" here.
"""

from __future__ import annotations

import re
from functools import lru_cache

_NET = r"(?:internet|conexao|sinal|wifi|rede|roteador|fibra)"
_FAIL = (
    r"(?:caiu|cai|caindo|parou|parada|fraco|fraca"
    r"|nao (?:esta |ta )?(?:funcion\w*|conecta\w*|pega\w*|navega\w*|abre|carrega\w*)"
    r"|lent[oa]|lesma|tartaruga|carroca|ruim|oscilando|instavel|travando|fora do ar|off|piscando"
    r"|vermelh[oa]|desconect\w*|sumiu|apag(?:ou|ado|ada)|nao (?:esta |ta )?(?:chegando|entra\w*))"
)
PATTERNS: dict[str, tuple[str, ...]] = {
    "comprovante": (
        r"\bdeposit\w*",
        r"\btransferencia\b",
        r"\bdebitou\b",
        r"\bcompens\w*",
        r"\b(?:fatura|conta|boleto|mensalidade) (?:ja )?(?:esta )?pag[oa]\b",
        r"\bacabei de (?:pagar|fazer o pix|pagar o boleto)\b",
        r"\bfiz (?:o|um) pix\b",
        r"\bpagamento (?:ja )?(?:foi )?(?:feito|efetuado|realizado|caiu)\b",
        r"\bcomprovante\b",
        r"\bja (?:paguei|pagamos|pago|efetuei|fiz o pagamento|fiz o pix|quitei|transferi)\b",
        r"\b(?:paguei|pagamos|quitei) (?:ontem|hoje|agora|ja|a fatura|o boleto|a conta|certinho)\b",
        r"\b(?:fiz|mandei|enviei|segue) o (?:pix|pagamento|deposito)\b",
        r"\besta pago\b",
        r"\bsegue (?:o )?(?:print|foto|anexo)\b",
        r"\bpagamento (?:feito|efetuado|realizado)\b",
    ),
    "desbloqueio": (
        r"\brelig\w*",
        r"\bmais (?:uns |alguns )?(?:dias|prazo)\b",
        r"\bprazo\b",
        r"\bnao (?:corta|cortem|desliga)\b",
        r"\bdesbloque\w*",
        r"\bbloquead[oa]s?\b",
        r"\bbloquearam\b",
        r"\b(?:libera|liberar|liberem|liberacao)\b",
        r"\bconfianca\b",
        r"\bpromessa de pagamento\b",
        r"\b(?:suspenderam|suspens[ao])\b",
        r"\bcort(?:aram|ou|ada|ado|ar|e|em)\b.{0,15}\b(?:internet|acesso|servico|sinal|conexao)\b",
        r"\b(?:internet|acesso|servico|conexao) (?:esta |foi |ta )?cortad[oa]\b",
        r"\breativ\w*",
    ),
    "fatura": (
        r"\bvalor\b.{0,25}\bpagar\b",
        r"\bdevendo\b",
        r"\bcomo (?:eu )?(?:pago|faco para pagar)\b",
        r"\bconta da (?:internet)\b",
        r"\bparcel\w*",
        r"\bnegociar\b",
        r"\bsegunda via\b",
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
        r"\b(?:minha|a) conta\b.{0,40}\bpagar\b",
        r"\bquero pagar\b",
        r"\bquitar\b",
        r"\bpendencias?\b",
        r"\b(?:qual|passa|manda)\b.{0,12}\bpix\b",
        r"\bem aberto\b",
    ),
    "sem_conexao": (
        r"\bping\b",
        r"\b(?:arrum|consert|resolv)(?:ar|a|e|em) (?:a |minha |essa |o )?(?:internet|conexao|sinal|wifi)\b",
        r"\b(?:travando tudo|nada abre|nao abre nada|nao carrega nada|nenhum site)\b",
        r"\bnem o (?:youtube|whatsapp|zap|instagram|netflix)\b",
        r"\bsite nenhum\b",
        r"\bcai e volta\b",
        r"\bfraco\b",
        r"\bteste de velocidade\b",
        r"\breinicie?i\b",
        r"\bnao aparece (?:a )?rede\b",
        r"\bvolta a internet\b",
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
        r"\btelefone (?:de|da|do|pra falar com) (?:voces|empresa|suporte|atendimento|central)\b",
        r"\bnumero (?:de telefone |pra |para )(?:ligar|falar)\b",
        r"\bliga(?:r)? (?:pra|para) (?:mim|voces)\b",
        r"\bninguem (?:me )?(?:atende|responde)\b",
        r"\btem (?:alguem|gente) de verdade\b",
        r"\b(?:uma|outra) pessoa\b",
        r"\bfalar com (?:o |a )?(?:setor|comercial|financeiro|suporte|tecnico)\b",
        r"\bme (?:passa|transfere|coloca) (?:pra|para|pro|com)\b",
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
        r"\borcamento\b",
        r"\binstal(?:am|a|ar|ariam)\b.{0,20}\b(?:no|na|em|pra|para)\b",
        r"\b(?:atende|chega)\w* (?:em|no|na|ate|zona|a regiao)\b",
        r"\bfibra optica\b",
        r"\bzona rural\b",
        r"\bcombo\b",
        r"\b(?:valor|preco)s? da internet\b",
        r"\bquanto (?:esta|custa|sai|e|fica) (?:a |o )?(?:internet|plano|de \d+|o de)\b",
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
        r"\btira(?:r)? (?:a |o |minha |meu )?(?:internet|servico|plano)\b",
        r"\bdar baixa\b",
        r"\brescindir\b",
        r"\bcancelei\b",
        r"\b(?:desligar|cortar)\b.{0,25}\b(?:de vez|definitiv\w*)\b",
        r"\bparar de usar\b",
        r"\bcancel(?:ar|amento|a|o|e|em)\b"
        r"(?! (?:a |o |meu |minha )?(?:visita|agendamento|chamado|protocolo|pedido))",
        r"\b(?:encerrar|rescindir|finalizar) (?:o |meu )?(?:contrato|plano|servico)\b",
        r"\bnao quero mais (?:a |o )?(?:internet|servico|plano)\b",
        r"\bdesistir\b",
        r"\brecolher (?:o )?(?:roteador|equipamento)\b",
    ),
    "chamado": (
        r"\bprotocolo\b",
        r"\btitular\w*\b",
        r"\bcadastro\b",
        r"\brepetidor\b",
        r"\bconfigur\w*",
        r"\bqueim\w*",
        r"\b(?:novo endereco|endereco novo|casa nova|outro endereco)\b",
        r"\bme mud\w*",
        r"\bip fixo\b",
        r"\b(?:abrir|abre|abra) (?:um )?chamado\b",
        r"\b(?:re)?agend(?:ar|a|amento)\b",
        r"\bremarc\w*",
        r"\b(?:mais um|outro|novo) ponto\b",
        r"\bmarcar (?:uma )?visita\b",
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
    "outro": (
        r"\bhorario\b",
        r"\b(?:instagram|insta|facebook|tiktok)\b",
        r"\b(?:endereco|localizacao) (?:da|de) (?:loja|empresa|voces)\b",
        r"\b(?:abrem|abre|funcionam|atendem)\b.{0,15}\b(?:sabado|domingo|feriado)s?\b",
    ),
    "saudacao": (r"^(?:oi|bom dia|boa tarde|boa noite|e ai|tudo bem|tudo bom|alo|👋)\b",),
}


def _compile(pattern: str) -> re.Pattern[str]:
    """A leading word boundary becomes a space (the text is searched with spaces around it): a pattern
    that starts with a literal lets the regex engine skip ahead, which is ~10x faster on long messages."""
    return re.compile(re.sub(r"^\\b(?=[a-z(])", " ", pattern))


COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    intent: tuple(_compile(p) for p in patterns) for intent, patterns in PATTERNS.items()
}

# Words that only open a message: "oi bom dia tudo bem? queria a 2 via" is a request for the bill.
_OPENER = re.compile(
    r"^(?:(?:oi|ola|bom dia|boa tarde|boa noite|e ai|tudo bem|tudo bom|tudo certo|como vai|alo|hey|eai|"
    r"beleza|salve|moco|moca|amigo|amiga|mano|querida|querido|senhor|senhora|meu querido|por favor|"
    r"com licenca|"
    r"licenca|desculpa|desculpe|bom|boa|dia|tarde|noite|pessoal|gente|galera|ai|voce|esta|pode|me|"
    r"ajudar|ajuda|fazer|favor|uma|duvida|\?|!|,|\.|👋|🙂|😊|🙏)\s*)+"
)


# When both match, the first is the more specific reading: "paguei o boleto" is about a payment made
# (not a bill wanted), "paguei, libera ai" asks for the unlock, "falar com o técnico" asks for a person.
OVERRIDES: dict[str, frozenset[str]] = {
    "comprovante": frozenset({"fatura"}),
    "desbloqueio": frozenset({"fatura", "comprovante", "sem_conexao"}),
    "atendente": frozenset({"chamado", "fatura", "sem_conexao", "contratar"}),
    "cancelamento": frozenset({"chamado", "contratar", "fatura", "desbloqueio"}),
}


@lru_cache(maxsize=1024)
def hits(norm: str) -> dict[str, int]:
    """How many patterns of each intent match `norm` (intents with none, or overridden, are absent)."""
    found: dict[str, int] = {}
    padded = f" {norm} "
    for intent, patterns in COMPILED.items():
        count = sum(1 for p in patterns if p.search(norm if p.pattern.startswith("^") else padded))
        if count:
            found[intent] = count
    for intent, beaten in OVERRIDES.items():
        if intent in found:
            for other in beaten:
                found.pop(other, None)
    return found


def strip_opening(norm: str) -> str:
    """`norm` without its greeting/politeness opening ("oi boa tarde tudo bem? ...")."""
    return _OPENER.sub("", norm, count=1).strip()
