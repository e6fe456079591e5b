"""Idempotent retries: one record per caller and ``Idempotency-Key``."""

from hushbook_service.models import IdempotencyRecord


def up(db):
    db.create_tables([IdempotencyRecord], safe=True)
