"""The demo tenant's SGP integration points at the SGP stub that `make run` starts, and every demo
WhatsApp contact is one of the stub's scripted customers, found by the number they write from."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from integrations.sgp.pix import is_valid_brcode
from models import Contact, SgpIntegration
from models.sgp import check_connection, sgp_client, sgp_config
from niochat.cli.banner import demo_lines
from niochat.demo import DEMO_STUBS, seed_demo
from tests.stubs import STUBS


def test_demo_contacts_are_scripted_sgp_customers(db) -> None:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        seed_demo(session, "http://testserver")
    with db.platform_session() as session:
        integration = session.scalar(sa.select(SgpIntegration))
        contacts = session.scalars(sa.select(Contact).where(Contact.phone_e164.is_not(None))).all()
        assert integration is not None and integration.base_url == "http://127.0.0.1:18085"
        config = sgp_config(integration)
        people = [(c.name, c.phone_e164, c.cpf_cnpj) for c in contacts]
    assert len(people) >= 4
    with STUBS["sgp"](**{**DEMO_STUBS["sgp"], "port": 0}) as stub:  # type: ignore[call-arg]
        from integrations.sgp import SgpClient

        with SgpClient(dataclasses.replace(config, base_url=stub.url)) as client:
            for name, phone, cpf in people:
                [contract] = client.find_contracts(telefone=phone)
                assert contract.name == name.upper()
                if cpf:
                    assert contract.cpf_cnpj == cpf
            maria = client.find_contracts(telefone="+5511987654321")[0]
            assert client.access_status(maria.contract_id).state == "offline"
            assert all(is_valid_brcode(b.pix_code) for b in client.open_bills(maria.contract_id))


def test_seed_demo_adds_the_sgp_to_an_older_demo(db) -> None:  # type: ignore[no-untyped-def]
    """A demo seeded before the SGP existed gets the integration on the next `run`, once."""
    with db.platform_session() as session:
        seed_demo(session, "http://testserver")
        session.execute(sa.delete(SgpIntegration))
    for _ in range(2):
        with db.platform_session() as session:
            info = seed_demo(session, "http://testserver")
    with db.platform_session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SgpIntegration)) == 1
    assert "  SGP de demonstração: http://127.0.0.1:18085 (clientes de teste em docs/sgp.md)" in demo_lines(
        info
    )


def test_check_connection_records_the_outcome(db) -> None:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        seed_demo(session, "http://testserver")
    with STUBS["sgp"](**{**DEMO_STUBS["sgp"], "port": 0}) as stub, db.platform_session() as session:  # type: ignore[call-arg]
        integration = session.scalar(sa.select(SgpIntegration))
        integration.base_url = stub.url
        ok, sentence = check_connection(integration)
        assert ok and "funcionando" in sentence and integration.last_test_ok
        integration.token = "wrong"
        ok, sentence = check_connection(integration)
        assert not ok and integration.last_test_ok is False and integration.last_test_error == sentence
        with sgp_client(integration) as client:
            assert client.config.token == "wrong"
