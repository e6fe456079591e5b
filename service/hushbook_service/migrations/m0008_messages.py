"""Message ledger, reminder policy and channels, contact kinds."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import DeliveryContact, Message, Tenant


def up(db):
    add_missing_columns(db, Tenant, Tenant.reminder_hours, Tenant.message_channels)
    add_missing_columns(db, DeliveryContact, DeliveryContact.kinds)
    db.create_tables([Message], safe=True)
