"""Zero-access client data: tenant public key, member vaults, grants, client keys."""

from ..models import Client, Tenant, VaultGrant, VaultMember
from . import add_missing_columns


def up(db):
    add_missing_columns(db, Tenant, Tenant.public_key, Tenant.key_version)
    add_missing_columns(db, Client, Client.client_key)
    db.create_tables([VaultMember, VaultGrant], safe=True)
