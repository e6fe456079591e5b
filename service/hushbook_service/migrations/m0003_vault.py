"""Zero-access client data: tenant public key, member vaults, grants, client keys."""

from playhouse.migrate import SchemaMigrator, migrate

from ..models import Client, Tenant, VaultGrant, VaultMember


def _add_missing(db, model, *fields):
    """Add columns a database created before this migration lacks (0001 creates
    tables from the current models, so a fresh database has them already)."""
    present = {c.name for c in db.get_columns(model._meta.table_name)}
    migrator = SchemaMigrator.from_database(db)
    ops = [
        migrator.add_column(model._meta.table_name, f.column_name, f)
        for f in fields
        if f.column_name not in present
    ]
    if ops:
        migrate(*ops)


def up(db):
    _add_missing(db, Tenant, Tenant.public_key, Tenant.key_version)
    _add_missing(db, Client, Client.client_key)
    db.create_tables([VaultMember, VaultGrant], safe=True)
