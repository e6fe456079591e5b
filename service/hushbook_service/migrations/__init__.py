"""Versioned schema migrations: ``hushbook migrate`` applies what is missing.

Each migration is a module ``mNNNN_name.py`` with ``up(db)``. Migrations are
applied in order inside a transaction and recorded in ``schema_migration``.
Later migrations alter with :mod:`playhouse.migrate` and check before they
alter, because migration 0001 creates tables from the current models.
"""

from __future__ import annotations

import importlib
import pkgutil

import peewee
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_operations

from hushbook_service.models import SchemaMigration


def add_missing_columns(db: peewee.Database, model, *fields) -> None:
    """Add the columns a database created before a migration lacks (0001
    creates tables from the current models, so a fresh database has them).

    Never rebuilds a table on SQLite: peewee adds a NOT NULL column there (before
    SQLite 3.53) by copying the table and dropping the original, and with
    foreign keys on that DROP deletes every row referencing it (CASCADE). So on
    SQLite the column is added in place, ``ADD COLUMN … NOT NULL DEFAULT <const>``.
    """
    table = model._meta.table_name
    present = {c.name for c in db.get_columns(table)}
    missing = [f for f in fields if f.column_name not in present]
    if not missing:
        return
    migrator = SchemaMigrator.from_database(db)
    if not isinstance(db, peewee.SqliteDatabase):  # PostgreSQL alters in place
        run_operations(*(migrator.add_column(table, f.column_name, f) for f in missing))
        return
    for field in missing:
        ctx = migrator.make_context()
        ctx.literal("ALTER TABLE ").sql(peewee.Entity(table)).literal(" ADD COLUMN ")
        ctx.sql(field.ddl(ctx))
        if not field.null:
            ctx.literal(f" DEFAULT {_constant(field)}")
        db.execute_sql(*ctx.query())


def _constant(field) -> str:
    default = field.default
    if isinstance(default, bool | int):
        return str(int(default))
    if isinstance(default, str):
        return "'" + default.replace("'", "''") + "'"
    raise ValueError(f"{field.name}: a NOT NULL column added later needs a constant default")


def available() -> list[tuple[int, str]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            found.append((int(info.name[1:5]), info.name))
    return sorted(found)


def pending(db: peewee.Database) -> list[tuple[int, str]]:
    if not db.table_exists(SchemaMigration._meta.table_name):
        return available()
    done = {row.version for row in SchemaMigration.select(SchemaMigration.version)}
    return [(v, name) for v, name in available() if v not in done]


def migrate(db: peewee.Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    db.create_tables([SchemaMigration], safe=True)
    applied = []
    for version, name in pending(db):
        module = importlib.import_module(f"{__name__}.{name}")
        with db.atomic():
            module.up(db)
            SchemaMigration.create(version=version, name=name)
        applied.append(name)
    return applied
