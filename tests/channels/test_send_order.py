"""A conversation's messages reach the customer in the order they were written, whichever worker runs
which send job first: a job that finds an earlier message still on its way leaves its message to that
message's job, which sends it next."""

from __future__ import annotations

from typing import Any

from jobs.outbound import send_message
from models.outbound import Draft
from tests.channels.conftest import compose_message, drain, fast_forward, load_message
from tests.channels.test_outbound import relay_all


def _texts(chat: Any) -> list[str]:
    return [r.json["text"] for r in chat.stub.requests_to("/message/sendText")]


def test_a_later_message_waits_for_the_earlier_ones(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """The third message's job runs first and sends nothing; the first's job sends all three, in order."""
    chat = make_chat("evolution")
    ids = [compose_message(db, chat, Draft(text=t)) for t in ("fatura", "pix", "Posso ajudar?")]
    assert send_message(chat.tenant_id, ids[2]) == "behind"
    assert _texts(chat) == []
    assert send_message(chat.tenant_id, ids[0]) == "sent"
    assert _texts(chat) == ["fatura", "pix", "Posso ajudar?"]
    assert all(str(load_message(db, chat.tenant_id, i).status) == "sent" for i in ids)
    assert send_message(chat.tenant_id, ids[1]) == "skip"  # its own job, late: nothing left to do
    assert len(_texts(chat)) == 3


def test_a_retrying_message_holds_the_line_until_it_goes(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """The first send fails and is retried later: the second waits, then follows it."""
    chat = make_chat("evolution")
    chat.stub.fail_next(1, status=500)
    first = compose_message(db, chat, Draft(text="primeira"))
    second = compose_message(db, chat, Draft(text="segunda"))
    assert send_message(chat.tenant_id, first) == "retry"
    assert send_message(chat.tenant_id, second) == "behind"
    fast_forward(redis_url)
    drain(redis_url)
    assert _texts(chat) == ["primeira", "primeira", "segunda"]  # the refused try, its retry, then the second


def test_a_message_failed_for_good_lets_the_next_go(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """A refusal the provider will never accept does not silence the conversation."""
    chat = make_chat("evolution")
    chat.stub.fail_next(1, status=400)
    first = compose_message(db, chat, Draft(text="recusada"))
    compose_message(db, chat, Draft(text="depois"))
    assert send_message(chat.tenant_id, first) == "failed"
    assert _texts(chat)[-1:] == ["depois"]


def test_every_job_through_the_relay_delivers_in_order(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Five messages relayed and drained by the workers arrive in the order written."""
    chat = make_chat("evolution")
    texts = [f"mensagem {i}" for i in range(5)]
    for text in texts:
        compose_message(db, chat, Draft(text=text))
    relay_all(db, redis_url)
    drain(redis_url)
    assert _texts(chat) == texts
