"""The country code national phone numbers are read with (was fixed to 49)."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import Tenant


def up(db):
    add_missing_columns(db, Tenant, Tenant.phone_country_code)
