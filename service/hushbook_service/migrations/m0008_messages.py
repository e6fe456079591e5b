"""Message ledger, reminder policy and channels, contact kinds."""

from ..models import DeliveryContact, Message, Tenant
from . import add_missing_columns


def up(db):
    add_missing_columns(db, Tenant, Tenant.reminder_hours, Tenant.message_channels)
    add_missing_columns(db, DeliveryContact, DeliveryContact.kinds)
    db.create_tables([Message], safe=True)
