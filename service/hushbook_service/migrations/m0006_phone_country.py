"""The country code national phone numbers are read with (was fixed to 49)."""

from ..models import Tenant
from . import add_missing_columns


def up(db):
    add_missing_columns(db, Tenant, Tenant.phone_country_code)
