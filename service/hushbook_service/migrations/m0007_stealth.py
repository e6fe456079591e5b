"""Stealth layer: tenant knobs, public names, pending online bookings, metering."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import (
    Appointment,
    BlockedContact,
    Client,
    Consent,
    MeterBucket,
    PendingHold,
    SpentToken,
    Staff,
    Tenant,
)


def up(db):
    add_missing_columns(db, Tenant, Tenant.stealth_settings)
    add_missing_columns(db, Staff, Staff.public_name)
    add_missing_columns(db, Client, Client.pending)
    add_missing_columns(db, Consent, Consent.appointment)
    add_missing_columns(db, Appointment, Appointment.pending_until)
    db.create_tables([SpentToken, MeterBucket, PendingHold, BlockedContact], safe=True)
