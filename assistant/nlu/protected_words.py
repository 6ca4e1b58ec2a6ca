"""Real Portuguese words one edit away from a key word: `normalize.correct` must leave them alone.

"tenha" is not a typo of "senha", "corta" not of "conta", "peguei" not of "paguei". Generated once from
the Portuguese word-frequency list shipped with pyspellchecker 0.9.1 (every word seen at least 100 times,
accents stripped, five letters or more, that `correct` would otherwise change); regenerate the same way
after adding key words:

    pip install --target /tmp/psc pyspellchecker==0.9.1
    # then, for each word w of /tmp/psc/spellchecker/resources/pt.json.gz with count >= 100:
    #     keep strip_accents(w) when correct(it) != it

minus the few that in this domain are far likelier typos ("fratura", "futura", "secunda", "abrigado").
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PROTECTED: frozenset[str] = _words(
    """
     alenta apagar apaguei arada assinaturas atendeste atura benta bloqueadas bloqueador
    bloqueados bloqueando bloqueara cagar caguei calar calor cancela cancelam cancelara cancelas canta
    cartada cinta coberturas codigos coita coitada comigo conecta conectara conga conota consta contada
    contam contar contaram contas conte conto contra contracto contrata contratam contratara contratas
    contrate contratos contratou coroada corta cortadas cortado cortara cortaras cortarem cortava
    cortavam costa couta denta deposite desbloqueara desligadas desligados desligando desligara
    desligava endereca enderecos falai falam falara falas falhar falir faltar  fartura faturas
    final  funcionado funcional funcionam funcionar funcione funciono  galar humana humanos
    instala instalam instalara lenda lenha lentas lente lento liberal liberara libere libertar libra
    lidera liderar matura menta mentalidade monta mudancas noites norte obrigada obrigados obrigando
    pagam pagamentos  pagara pagas pague paguem pagues papar paradas parado parar parara parava
    patada pegar peguei pessima pessimos piano plana planos planto pleno ponta portaram problemas
    processa professa promessas quebro ralar satura  seguida segundas segundo  senhas senta
    sonha suspenda suspensao suspensas suspense suspensos tarada tarda tardes  tecnica tecnicos
    tenha tenta tonta transferencias vagar  valer valora vapor velocidades vencia vencidos vendida
    vendido venha visitam visitar visitas visite visito vista
    """
)
