"""The demo salon (`make demo`): fictitious clients, sealed like real ones."""

from __future__ import annotations

from hushbook_service import demo
from hushbook_service.db import database
from hushbook_service.models import Appointment, Client, Tenant
from support.db import db_rows


def test_demo_bookings_belong_to_sealed_fictitious_clients(app):
    with app.app_context(), database.connection_context():
        tenant, secret = demo.seed_demo(10)
        assert secret  # the owner's one-time password, printed once
        stored = Tenant.get_by_id(tenant.id)
        assert stored.public_key  # the vault was set up with the demo passphrase
        booked = list(Appointment.select().where(Appointment.tenant == tenant.id))
        with_client = [a for a in booked if a.client_id is not None]
        assert len(booked) == 40 and len(with_client) >= 0.6 * len(booked)
        clients = list(Client.select().where(Client.tenant == tenant.id))
        assert 2 <= len(clients) <= len(demo.CLIENT_NAMES)
        assert all(c.profile and c.client_key for c in clients)
        # returning clients: one row per name, found again through the blind index
        assert len({a.client_id for a in with_client}) == len(clients)
        assert demo.seed_demo(10) == (Tenant.get_by_id(tenant.id), None)  # once only
    dump = repr(db_rows(app, tenant.id))
    for name in demo.CLIENT_NAMES:  # sealed: no name in the clear anywhere
        assert name not in dump and name.lower().replace(" ", ".") not in dump
