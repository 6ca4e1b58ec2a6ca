"""Text folding shared by intent, sentiment and slot extraction.

Customers write "vc", "2 via", "intenet", "oiii", "NAO TA FUNCIONANDO!!!": every later step should see one
spelling of each idea, so the classifier learns ideas rather than spellings, and lexicons stay short.
Folding order matters: accents and case first (so the tables below are ASCII), then repeated letters
("siiim" -> "sim"), then whole-word variants (abbreviations, slang), then known typos of the words
that decide an intent (one edit away from a key word).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Whole-token rewrites, after accent stripping. Values may be several words.
VARIANTS: dict[str, str] = {
    # pronouns, function words, slang
    "vc": "voce",
    "vcs": "voces",
    "voce": "voce",
    "ce": "voce",
    "oce": "voce",
    "tu": "voce",
    "q": "que",
    "qu": "que",
    "ke": "que",
    "oq": "o que",
    "oque": "o que",
    "n": "nao",
    "naum": "nao",
    "nn": "nao",
    "nops": "nao",
    "nope": "nao",
    "ñ": "nao",
    "s": "sim",
    "ss": "sim",
    "sm": "sim",
    "yes": "sim",
    "pq": "porque",
    "porq": "porque",
    "pqp": "porra",
    "tb": "tambem",
    "tbm": "tambem",
    "tmb": "tambem",
    "hj": "hoje",
    "hje": "hoje",
    "amanha": "amanha",
    "amnh": "amanha",
    "amn": "amanha",
    "td": "tudo",
    "tds": "todos",
    "cmg": "comigo",
    "ngm": "ninguem",
    "alguem": "alguem",
    "mt": "muito",
    "mto": "muito",
    "mtu": "muito",
    "mta": "muita",
    "mts": "muitos",
    "qdo": "quando",
    "qnd": "quando",
    "qndo": "quando",
    "qto": "quanto",
    "qnto": "quanto",
    "qt": "quanto",
    "qual": "qual",
    "ql": "qual",
    "pfv": "por favor",
    "pfvr": "por favor",
    "pf": "por favor",
    "plis": "por favor",
    "pls": "por favor",
    "porfavor": "por favor",
    "favor": "favor",
    "obg": "obrigado",
    "obgd": "obrigado",
    "obgda": "obrigado",
    "obrigada": "obrigado",
    "brigado": "obrigado",
    "brigada": "obrigado",
    "obrigadao": "obrigado",
    "grato": "obrigado",
    "grata": "obrigado",
    "agradecido": "obrigado",
    "agradecida": "obrigado",
    "thanks": "obrigado",
    "vlw": "valeu",
    "vlws": "valeu",
    "valew": "valeu",
    "vlew": "valeu",
    "blz": "beleza",
    "blza": "beleza",
    "belz": "beleza",
    "bz": "beleza",
    "ta": "esta",
    "tah": "esta",
    "tá": "esta",
    "to": "estou",
    "tou": "estou",
    "tamo": "estamos",
    "tava": "estava",
    "tavam": "estavam",
    "eh": "e",
    "neh": "ne",
    "aki": "aqui",
    "ai": "ai",
    "agr": "agora",
    "dps": "depois",
    "dpois": "depois",
    "msg": "mensagem",
    "msgs": "mensagens",
    "qro": "quero",
    "kero": "quero",
    "keru": "quero",
    "axo": "acho",
    "cade": "cade",
    "kd": "cade",
    "ctz": "certeza",
    "vdd": "verdade",
    "mds": "meu deus",
    "mdss": "meu deus",
    "sla": "sei la",
    "fds": "fim de semana",
    "ngc": "negocio",
    "tmj": "valeu",
    "pdc": "pode crer",
    "flw": "falou",
    "fmz": "firmeza",
    "bjs": "beijos",
    "p": "para",
    "pra": "para",
    "pro": "para o",
    "prar": "para",
    "nd": "nada",
    "nda": "nada",
    "cmo": "como",
    "cm": "com",
    "sao": "sao",
    "ent": "entao",
    "entt": "entao",
    "mim": "mim",
    "tmbm": "tambem",
    "iae": "e ai",
    "eae": "e ai",
    "eai": "e ai",
    "salve": "oi",
    "ola": "oi",
    "oie": "oi",
    "oii": "oi",
    "oiee": "oi",
    "opa": "oi",
    "hello": "oi",
    "hi": "oi",
    "bd": "bom dia",
    "bomdia": "bom dia",
    "boatarde": "boa tarde",
    "boanoite": "boa noite",
    "bt": "boa tarde",
    "bn": "boa noite",
    # domain words and their spellings
    "net": "internet",
    "nete": "internet",
    "interneti": "internet",
    "internete": "internet",
    "wifi": "wifi",
    "wi-fi": "wifi",
    "wi": "wi",
    "uaifai": "wifi",
    "waifai": "wifi",
    "wify": "wifi",
    "roteador": "roteador",
    "modem": "roteador",
    "rotiador": "roteador",
    "roteado": "roteador",
    "mega": "mega",
    "megas": "mega",
    "mb": "mega",
    "mbps": "mega",
    "giga": "giga",
    "gb": "giga",
    "2via": "segunda via",
    "2avia": "segunda via",
    "2ªvia": "segunda via",
    "pix": "pix",
    "pics": "pix",
    "piks": "pix",
    "boletos": "boleto",
    "faturas": "fatura",
    "comprovantes": "comprovante",
    "conprovante": "comprovante",
    "cpf": "cpf",
    "cnpj": "cnpj",
    "zap": "whatsapp",
    "zapzap": "whatsapp",
    "wpp": "whatsapp",
    "whats": "whatsapp",
    "wats": "whatsapp",
    "atendende": "atendente",
    "atendimento": "atendimento",
    "humano": "humano",
    "umano": "humano",
    "pessoa": "pessoa",
    "resetar": "reiniciar",
    "reseta": "reinicia",
    "desbloquea": "desbloqueia",
    "desbloquia": "desbloqueia",
    "desbloquiar": "desbloquear",
    "libera": "libera",
    "liberar": "liberar",
    "liberá": "liberar",
    "sinal": "sinal",
    "lenta": "lenta",
    "lento": "lento",
    "cancela": "cancela",
}

# Words an intent hinges on: an unknown token one edit away from one of these becomes it ("fatuta",
# "bolerto", "intenet", "cancelra"). Only these are corrected, so ordinary words are never "fixed".
KEY_WORDS: tuple[str, ...] = (
    "fatura",
    "boleto",
    "internet",
    "conexao",
    "conectar",
    "cancelar",
    "cancelamento",
    "desbloquear",
    "desbloqueio",
    "desbloqueia",
    "bloqueada",
    "bloqueado",
    "atendente",
    "atendimento",
    "comprovante",
    "pagamento",
    "paguei",
    "contratar",
    "contrato",
    "instalar",
    "instalacao",
    "senha",
    "endereco",
    "mudanca",
    "roteador",
    "funcionando",
    "funciona",
    "obrigado",
    "segunda",
    "quero",
    "plano",
    "pagar",
    "vencimento",
    "vencida",
    "vencido",
    "liberar",
    "libera",
    "tecnico",
    "visita",
    "caiu",
    "sinal",
    "lenta",
    "velocidade",
    "assinatura",
    "desligado",
    "desligada",
    "valor",
    "codigo",
    "transferencia",
    "depositei",
    "mensalidade",
    "conta",
    "humano",
    "pessoa",
    "falar",
    "suspensa",
    "suspenso",
    "cortaram",
    "cortada",
    "parada",
    "desconectado",
    "problema",
    "boa",
    "noite",
    "tarde",
    "wifi",
    "cobertura",
    "disponivel",
    "promessa",
    "confianca",
    "reclamacao",
    "pessimo",
    "horrivel",
)

_KEY_SET = frozenset(KEY_WORDS)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _build_delete_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for word in KEY_WORDS:
        for variant in {word, *_deletes(word)}:
            index.setdefault(variant, word)
    return index


_DELETE_INDEX = _build_delete_index()
_COMBINING = re.compile(r"[\u0300-\u036f]")
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[^\sa-z0-9]")
_VOWEL_RUN = re.compile(r"([aeiou])\1+")
_CONSONANT_RUN = re.compile(r"([b-df-hj-np-tv-z])\1+")
_SECOND_COPY = re.compile(r"\b2\s*[ao°]?\s*(?:-\s*)?via\b")


def strip_accents(text: str) -> str:
    """ "Não, você" -> "Nao, voce": customers type with and without accents, often in one message."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def fold_repeats(word: str) -> str:
    """ "oiii" -> "oi", "siiiim" -> "sim", "nettt" -> "net"; "rr" and "ss" stay ("carro", "passo")."""
    if not word.isalpha():
        return word
    word = _VOWEL_RUN.sub(r"\1", word)
    return _CONSONANT_RUN.sub(lambda m: m.group(0)[:2] if m.group(1) in "rs" else m.group(1), word)


@lru_cache(maxsize=8192)
def correct(word: str) -> str:
    """A key word one edit away (substitution, insertion, deletion, swap) from `word`, else `word`.

    SymSpell-style: both sides are reduced to their one-letter deletions, which meet whenever the two
    spellings are one edit apart. Short words are left alone: "cara" must not become "caiu".
    """
    if len(word) < 5 or word in _KEY_SET or not word.isalpha():
        return word
    for variant in (word, *_deletes(word)):
        candidate = _DELETE_INDEX.get(variant)
        if candidate is not None and _one_edit_apart(word, candidate):
            return candidate
    return word


def _one_edit_apart(a: str, b: str) -> bool:
    """Optimal string alignment distance <= 1 (the delete index also meets some pairs two edits apart:
    "falta"/"falar" share "fala", but "falta" is a word of its own)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) <= 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def tokens(text: str) -> list[str]:
    """The normalized tokens of `text` (words, numbers, and single punctuation marks/emoji)."""
    return normalize(text).split()


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lowercase, no accents, repeated letters folded, abbreviations and key-word typos spelled out.

    Punctuation is kept as separate tokens (a "?" or "!!!" can matter), emoji too.
    """
    folded = strip_accents(text.lower()).replace("º", "o").replace("ª", "a")
    folded = _SECOND_COPY.sub("segunda via", folded)
    out: list[str] = []
    for raw in _TOKEN.findall(folded):
        word = fold_repeats(raw)
        if word in VARIANTS:
            out.append(VARIANTS[word])
        elif raw in VARIANTS:
            out.append(VARIANTS[raw])
        else:
            out.append(correct(word))
    return " ".join(out)
