"""Idempotent retries: one record per caller and ``Idempotency-Key``."""

from ..models import IdempotencyRecord


def up(db):
    db.create_tables([IdempotencyRecord], safe=True)
