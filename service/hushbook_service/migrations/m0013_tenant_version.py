"""The tenant's version: what caches of the public catalog key on."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import Tenant


def up(db):
    add_missing_columns(db, Tenant, Tenant.version)
