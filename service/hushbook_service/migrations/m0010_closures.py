"""Salon-wide closures (holidays): whole local days, time off for the whole team."""

from hushbook_service.models import Closure


def up(db):
    db.create_tables([Closure], safe=True)
