"""The audit trail (hash-chained events per tenant)."""

from hushbook_service.models import AuditEvent


def up(db):
    db.create_tables([AuditEvent], safe=True)
