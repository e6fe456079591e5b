"""The tests' databases: empty ones, migrated ones, and a tenant's rows.

SQLite files by default; with ``HUSHBOOK_TEST_DATABASE_URL=postgresql://…`` the
one PostgreSQL database named there. The ``db_url`` fixture gives a test an
empty database, the ``app`` fixture a migrated one.

Migrating costs about 20 ms on SQLite and 170 ms on PostgreSQL, for every test
that has an app. So the schema is migrated once per session into a
:class:`MigratedTemplate`, and each test gets a copy of it instead: the
template's file on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL
(about 75 ms). A copy holds exactly what migrating would have made.
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hushbook_service.db import database, open_database
from hushbook_service.migrations import migrate
from hushbook_service.models import Staff


def _pg_connect(url: str):
    import psycopg2

    conn = psycopg2.connect(url.replace("postgresql://", "postgres://", 1))
    conn.autocommit = True
    return conn


def _pg_run(url: str, *statements) -> None:
    conn = _pg_connect(url)
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def _pg_url_of(url: str, dbname: str) -> str:
    """``url`` (server, user, options) pointing at another database on the same server."""
    return urlsplit(url)._replace(path=f"/{dbname}").geturl()


def _pg_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def sqlite_sidecars(path: Path) -> list[Path]:
    """The files SQLite keeps beside a database in WAL mode."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def empty_database(url: str) -> None:
    """Make the database at ``url`` empty. A SQLite file is new per test (nothing
    to do); the one PostgreSQL database gets an empty ``public`` schema."""
    if url.startswith("postgres"):
        _pg_run(url, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")


def migrate_database(url: str) -> None:
    """Apply every migration to the database at ``url`` (the models point at it after)."""
    open_database(url)
    with database.connection_context():
        migrate(database.obj)


@dataclass
class MigratedTemplate:
    """A database migrated once per session; :meth:`copy_to` gives a test its own.

    ``url`` is the template's own database. ``clone`` is False on a PostgreSQL
    server where the tests' role may not create databases: then each copy is
    migrated afresh, as before there were templates.
    """

    url: str
    clone: bool = True

    @classmethod
    def create(cls, folder: Path, test_url: str) -> MigratedTemplate:
        """The template for ``test_url`` (a SQLite file in ``folder``, or a database
        ``<name>_template`` beside the PostgreSQL test database)."""
        if not test_url.startswith("postgres"):
            path = folder / "hushbook.db"
            url = f"sqlite:///{path}"
            migrate_database(url)
            database.initialize(None)  # nothing may write to the template by mistake
            # The connection is closed: SQLite checkpointed the WAL into the main
            # file and removed it, so a copy of that file is the whole database.
            left = [p.name for p in sqlite_sidecars(path) if p.exists()]
            assert not left, f"the migrated template left {left} beside it"
            return cls(url)
        import psycopg2

        name = f"{_pg_name(test_url)}_template"
        try:
            _pg_run(
                _pg_url_of(test_url, "postgres"),
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}"',
            )
        except psycopg2.Error as exc:
            warnings.warn(
                f"no template database ({exc}); migrating for every test instead", stacklevel=2
            )
            return cls(test_url, clone=False)
        url = _pg_url_of(test_url, name)
        migrate_database(url)
        database.initialize(None)  # nothing may write to the template by mistake
        return cls(url)

    def copy_to(self, url: str) -> None:
        """Make the database at ``url`` a migrated one: a new SQLite file (none may
        be there yet), or the PostgreSQL database replaced, whatever it held."""
        if url.startswith("sqlite"):
            target = sqlite_path(url)
            present = [p.name for p in [target, *sqlite_sidecars(target)] if p.exists()]
            assert not present, f"a database is already there: {present}"
            shutil.copyfile(sqlite_path(self.url), target)
        elif self.clone:
            name = _pg_name(url)
            _pg_run(
                _pg_url_of(url, "postgres"),
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}" TEMPLATE "{_pg_name(self.url)}"',
            )
        else:
            empty_database(url)
            migrate_database(url)

    def drop(self) -> None:
        """Remove a PostgreSQL template (a SQLite one goes with its temporary folder)."""
        if self.url.startswith("postgres") and self.clone:
            _pg_run(
                _pg_url_of(self.url, "postgres"),
                f'DROP DATABASE IF EXISTS "{_pg_name(self.url)}" WITH (FORCE)',
            )


# --- a tenant's rows -------------------------------------------------------------------

# Written by a key's own use (at most hourly), not by what the request asked for.
BOOKKEEPING = {("IntegrationKey", "last_used_at")}


def db_rows(app, tenant_id: int) -> dict[str, list[dict]]:
    """Every row of the tenant, straight from the database (for "nothing changed").

    Audit events that the tenant's own people and keys cause (reading their
    own data is audited) are left out; events caused by anyone else stay."""
    from hushbook_service.models import ALL_MODELS, AuditEvent, IntegrationKey, Tenant, TenantModel

    with app.app_context(), database.connection_context():
        rows = {"Tenant": list(Tenant.select().where(Tenant.id == tenant_id).dicts())}
        own_staff = Staff.select(Staff.id).where(Staff.tenant == tenant_id)
        own_keys = IntegrationKey.select(IntegrationKey.id).where(
            IntegrationKey.tenant == tenant_id
        )
        for model in ALL_MODELS:
            if issubclass(model, TenantModel):
                query = model.select().where(model.tenant == tenant_id).order_by(model.id)
                if model is AuditEvent:
                    query = query.where(
                        ~((AuditEvent.actor_kind == "staff") & AuditEvent.actor_id.in_(own_staff)),
                        ~(
                            (AuditEvent.actor_kind == "integration")
                            & AuditEvent.actor_id.in_(own_keys)
                        ),
                    )
                rows[model.__name__] = [
                    {k: v for k, v in row.items() if (model.__name__, k) not in BOOKKEEPING}
                    for row in query.dicts()
                ]
    return rows


def message_rows(app, appointment_id=None) -> list[tuple[str, str, str]]:
    """The message ledger as (kind, channel, state), in due order."""
    from hushbook_service.models import Message

    with app.app_context(), database.connection_context():
        q = Message.select().order_by(Message.due_at, Message.id)
        if appointment_id is not None:
            q = q.where(Message.appointment == appointment_id)
        return [(m.kind, m.channel, m.state) for m in q]


def team_mails_off(app) -> None:
    """Nobody of any tenant wants the team's booking e-mails (``notify_bookings``):
    for tests about the customer's messages alone."""
    with app.app_context(), database.connection_context():
        Staff.update(notify_bookings=False).execute()
