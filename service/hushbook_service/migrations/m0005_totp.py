"""TOTP second factor: sealed secret, on/off and replay guard per account;
the business's "owners and managers must use it" switch."""

import peewee
from playhouse.migrate import SchemaMigrator

from ..models import Staff, Tenant
from .m0003_vault import _add_missing


def _add_missing_safely(db, model, *fields):
    """Like m0003's ``_add_missing``, but never rebuilds a table on SQLite.

    peewee adds a NOT NULL column on SQLite (before 3.53) by copying the table
    and dropping the original; with ``foreign_keys`` on, that DROP deletes
    every row that references the table (ON DELETE CASCADE) or fails
    (RESTRICT). ``staff`` and ``tenant`` are referenced by almost everything,
    so on SQLite the column is added in place: ``ADD COLUMN … NOT NULL
    DEFAULT <constant>``, which SQLite supports without a copy.
    """
    if not isinstance(db, peewee.SqliteDatabase):
        _add_missing(db, model, *fields)  # PostgreSQL alters in place
        return
    table = model._meta.table_name
    present = {c.name for c in db.get_columns(table)}
    migrator = SchemaMigrator.from_database(db)
    for field in fields:
        if field.column_name in present:
            continue
        ctx = migrator.make_context()
        ctx.literal("ALTER TABLE ").sql(peewee.Entity(table)).literal(" ADD COLUMN ")
        ctx.sql(field.ddl(ctx))
        if not field.null:
            default = field.default() if callable(field.default) else field.default
            if isinstance(default, bool | int):
                ctx.literal(f" DEFAULT {int(default)}")
            else:
                raise ValueError(f"{field.name}: NOT NULL needs a constant int/bool default here")
        db.execute_sql(*ctx.query())


def up(db):
    _add_missing_safely(db, Staff, Staff.totp_secret, Staff.totp_enabled, Staff.totp_last_step)
    _add_missing_safely(db, Tenant, Tenant.require_totp)
