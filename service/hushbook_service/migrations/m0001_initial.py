"""Tenants, staff, services, schedules, clients, appointments, tokens."""

from hushbook_service.models import ALL_MODELS


def up(db):
    db.create_tables(ALL_MODELS, safe=True)
