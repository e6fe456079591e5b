"""Zero-access client data: tenant public key, member vaults, grants, client keys."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import Client, Tenant, VaultGrant, VaultMember


def up(db):
    add_missing_columns(db, Tenant, Tenant.public_key, Tenant.key_version)
    add_missing_columns(db, Client, Client.client_key)
    db.create_tables([VaultMember, VaultGrant], safe=True)
