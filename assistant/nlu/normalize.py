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

from assistant.nlu.protected_words import PROTECTED


# Whole-token rewrites, after accent stripping. Values may be several words.
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _variants(table: str) -> dict[str, str]:
    """Lines "spelling: variant variant ..." -> {variant: spelling}; "_" in a spelling is a space."""
    out: dict[str, str] = {}
    for line in table.strip().splitlines():
        target, _, variants = line.partition(":")
        out.update((variant, target.strip().replace("_", " ")) for variant in variants.split())
    return out


VARIANTS: dict[str, str] = _variants(
    """
    voce: vc ce oce tu
    voces: vcs
    que: q qu ke
    o_que: oq oque
    nao: n naum nn nops nope ñ
    sim: s ss sm yes
    porque: pq porq
    porra: pqp
    tambem: tb tbm tmb tmbm
    hoje: hj hje
    amanha: amnh amn
    tudo: td
    todos: tds
    comigo: cmg
    ninguem: ngm
    muito: mt mto mtu
    muita: mta
    muitos: mts
    quando: qdo qnd qndo
    quanto: qto qnto qt
    qual: ql
    por_favor: pfv pfvr pf plis pls porfavor
    obrigado: obg obgd obgda obrigada brigado brigada obrigadao grato grata agradecido agradecida thanks
    valeu: vlw vlws valew vlew tmj
    beleza: blz blza belz bz
    esta: ta tah tá
    estou: to tou
    estamos: tamo
    estava: tava
    estavam: tavam
    e: eh
    ne: neh
    aqui: aki
    agora: agr
    depois: dps dpois
    mensagem: msg
    mensagens: msgs
    quero: qro kero keru
    acho: axo
    cade: kd
    certeza: ctz
    verdade: vdd
    meu_deus: mds mdss
    sei_la: sla
    fim_de_semana: fds
    negocio: ngc
    pode_crer: pdc
    falou: flw
    firmeza: fmz
    beijos: bjs
    para: p pra prar
    para_o: pro
    nada: nd nda
    como: cmo
    com: cm
    entao: ent entt
    e_ai: iae eae eai
    ai: ae
    oi: salve ola oie oii oiee opa hello hi
    bom_dia: bd bomdia
    boa_tarde: boatarde bt
    boa_noite: boanoite bn
    internet: net nete interneti internete
    wifi: wi-fi uaifai waifai wify
    roteador: modem rotiador roteado
    mega: megas mb mbps
    giga: gb
    segunda_via: 2via 2avia 2ªvia
    pix: pics piks
    boleto: boletos
    fatura: faturas
    comprovante: comprovantes conprovante
    whatsapp: zap zapzap wpp whats wats
    atendente: atendende
    humano: umano
    reiniciar: resetar
    reinicia: reseta
    desbloqueia: desbloquea desbloquia
    desbloquear: desbloquiar
    liberar: liberá
    """
)

# Words an intent hinges on: an unknown token one edit away from one of these becomes it ("fatuta",
# "bolerto", "intenet", "cancelra"). Only these are corrected, so ordinary words are never "fixed".
KEY_WORDS: tuple[str, ...] = _words(
    """
    fatura boleto internet conexao conectar cancelar cancelamento desbloquear desbloqueio desbloqueia
    bloqueada bloqueado atendente atendimento comprovante pagamento paguei contratar contrato instalar
    instalacao senha endereco mudanca roteador funcionando funciona obrigado segunda quero plano pagar
    vencimento vencida vencido liberar libera tecnico visita caiu sinal lenta velocidade assinatura
    desligado desligada valor codigo transferencia depositei mensalidade conta humano falar suspensa
    suspenso cortaram cortada parada desconectado problema boa noite tarde wifi cobertura disponivel
    promessa confianca reclamacao pessimo horrivel
    """
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
_LEET_ZERO = re.compile(r"(?<=[a-z]{3})0(?=[a-z]|\b)")  # "bolet0" -> "boleto"
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z]{2})(?=\d)")  # "500mb" -> "500 mb"
_SECOND_COPY = re.compile(r"\b2\s*[ao°]?\s*(?:-\s*)?via\b")


def strip_accents(text: str) -> str:
    """ "Não, você" -> "Nao, voce": customers type with and without accents, often in one message."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=8192)
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
    spellings are one edit apart. Short words and real words (`PROTECTED`: "tenha" is not "senha") are
    left alone.
    """
    if len(word) < 5 or word in _KEY_SET or word in PROTECTED or not word.isalpha():
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
    folded = _DIGIT_LETTER.sub(" ", _LEET_ZERO.sub("o", folded))
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
