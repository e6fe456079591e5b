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

from ..models import SchemaMigration


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
