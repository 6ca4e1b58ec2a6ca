"""The inbox's CSAT strings (alerts, ratings, the list filter), merged into `web.inbox.strings`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

CSAT_STRINGS: dict[str, LazyString] = {
    "ev_csat_answered_score": _l("Cliente avaliou o atendimento: {score} de 5"),
    "ev_csat_alert": _l("Alerta de avaliação ruim ({score} de 5) enviado à supervisão"),
    "csat_alerts": _l("Avaliações ruins"),
    "csat_alerts_title": _l("Avaliações ruins recebidas agora: clique para abrir a mais recente"),
    "csat_alert": _l("Avaliação {score} de 5 de {name}"),
    "csat_customer": _l("um cliente"),
    "csat_title": _l("Satisfação (CSAT)"),
    "csat_none": _l("Nenhuma avaliação ainda"),
    "csat_score": _l("{score} de 5"),
    "csat_recovered": _l("recuperada depois"),
    "filter_csat": _l("CSAT"),
    "csat_any": _l("Todas as avaliações"),
    "csat_answered": _l("Avaliadas"),
    "csat_low": _l("Nota baixa (alerta)"),
    "csat_waiting": _l("Pesquisa aguardando resposta"),
    "ev_closed_spam": _l("Encerrada como spam por {actor} (sem pesquisa de satisfação)"),
    "ev_closed_merge": _l("Encerrada como duplicada por {actor} (sem pesquisa de satisfação)"),
    # the contact panel's opt-out (the close dialog's choices are in the template)
    "csat_opt_out": _l("Não enviar pesquisas de satisfação"),
    "csat_opt_out_hint": _l("Vale para as próximas conversas encerradas deste contato."),
    "csat_opt_out_on": _l("Este contato não receberá mais pesquisas de satisfação."),
    "csat_opt_out_off": _l("Este contato voltará a receber pesquisas de satisfação."),
}
