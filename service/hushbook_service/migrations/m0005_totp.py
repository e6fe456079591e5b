"""TOTP second factor: sealed secret, on/off and replay guard per account;
the business's "owners and managers must use it" switch."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import Staff, Tenant


def up(db):
    add_missing_columns(db, Staff, Staff.totp_secret, Staff.totp_enabled, Staff.totp_last_step)
    add_missing_columns(db, Tenant, Tenant.require_totp)
