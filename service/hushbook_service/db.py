"""Database handle: SQLite (WAL) by default, PostgreSQL in production."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import peewee
from playhouse.db_url import connect, parse
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase

from hushbook_service.config import clock_file, pool_settings

database = peewee.DatabaseProxy()
_immediate = threading.local()

# What every integer column holds on both databases (PostgreSQL's ``integer``;
# SQLite binds at most 64 bits): input integers are bounded to this range
# (``resources.extensions.Schema``), ids in paths and tokens too.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", 15000),
    ("synchronous", "normal"),
)


def open_database(url: str) -> peewee.Database:
    """Create the database object for ``url`` and point the models at it.

    PostgreSQL: a pool of at most ``HUSHBOOK_DB_POOL_SIZE`` connections per
    process (no 2-3 ms connect per request). peewee checks a connection before
    handing it out again (a round trip), so one broken by a server restart is
    discarded, never used: the first request after the database is back is
    served. Connections are replaced after five minutes. SQLite: one connection
    per thread, kept open (:func:`release_connection`).
    """
    if url.startswith("sqlite"):
        db = connect(url, pragmas=SQLITE_PRAGMAS, timeout=15)
    else:
        pool = pool_settings()
        params = {"connect_timeout": pool.connect_timeout, **parse(url)}  # the URL's own wins
        db = PooledPostgresqlDatabase(
            max_connections=pool.size,
            stale_timeout=300,
            timeout=pool.connect_timeout,  # waiting for a free one, then 503
            **params,
        )
    previous = database.obj
    database.initialize(db)
    if isinstance(previous, PooledDatabase):  # its idle connections would linger
        previous.close_idle()
    return db


def release_connection() -> None:
    """After a request: a PostgreSQL connection goes back to the pool; SQLite's
    stays open with its thread (opening one costs more than the query)."""
    if database.is_closed() or (is_sqlite() and not database.in_transaction()):
        return
    database.close()  # returned to the pool (refused inside a transaction, as before)


def is_sqlite() -> bool:
    return isinstance(database.obj, peewee.SqliteDatabase)


@contextmanager
def write_transaction(savepoint: bool = True) -> Iterator[None]:
    """A transaction that takes the write lock up front on SQLite.

    ``BEGIN IMMEDIATE`` makes concurrent writers queue at the start instead of
    failing half-way through a read-then-write (the no-double-booking path).
    It must be the outermost transaction: nested in a deferred one it would
    only be a savepoint, and SQLite refuses the late lock upgrade.

    Nested, it is a savepoint (two more round trips); ``savepoint=False`` skips
    it for a block that refuses only before its first write, so there is
    nothing of its own to undo.
    """
    if database.in_transaction():
        if is_sqlite() and not getattr(_immediate, "active", False):
            raise RuntimeError("write_transaction() nested in a deferred transaction")
        if not savepoint:
            yield
            return
        with database.atomic():
            yield
    elif is_sqlite():
        with database.atomic("IMMEDIATE"):
            _immediate.active = True
            try:
                yield
            finally:
                _immediate.active = False
    else:
        with database.atomic():
            yield


def lock_row(model: type[peewee.Model], row_id: int) -> None:
    """Inside :func:`write_transaction`: serialise writers on one row.

    SQLite already has the whole database locked (``BEGIN IMMEDIATE``);
    PostgreSQL takes ``SELECT … FOR UPDATE`` so that concurrent transactions
    touching the same row queue, while others run in parallel.
    """
    if not is_sqlite():
        pk = model._meta.primary_key
        # NO KEY UPDATE: inserting a row that references this one (a client of the
        # tenant) takes KEY SHARE on it; FOR UPDATE would wait on that and deadlock
        # two such writers (seen with staff booking new clients on two nodes).
        # (peewee takes the clause as a string; its stub says bool)
        clause = "FOR NO KEY UPDATE"
        found = prepared_rows(
            f"db.lock_row.{model._meta.table_name}",
            lambda: model.select(pk).where(pk == row_id).limit(1).for_update(clause),  # type: ignore[arg-type]
            [row_id, 1],
        )
        if not found:  # as peewee's get() would
            raise model.DoesNotExist(f"{model.__name__} {row_id}")  # type: ignore[attr-defined]


def lock_names(*names: str) -> None:
    """Inside :func:`write_transaction`: serialise writers on names that have no
    row (a login subject, an address), like :func:`lock_row` does on a row.

    SQLite already has the whole database locked; PostgreSQL takes a
    transaction-level advisory lock per name, in sorted order (no deadlock
    between two callers naming the same set), released at commit or rollback.
    """
    if is_sqlite():
        return
    for name in sorted(set(names)):
        digest = hashlib.sha256(f"hushbook-lock|{name}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (key,))


class UTCDateTimeField(peewee.DateTimeField):
    """Stores naive UTC; hands out aware UTC datetimes."""

    def db_value(self, value):
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC field")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        if isinstance(value, str):  # SQLite's text: the ISO reader is far quicker than strptime
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = super().python_value(value)
        else:
            value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """The service's "now". ``HUSHBOOK_CLOCK_FILE`` (tests and rehearsals only)
    names a file holding an ISO time that replaces the real clock, so reminders
    due tomorrow can be watched going out today."""
    fake = clock_file()
    if fake:
        try:
            text = Path(fake).read_text().strip()
        except OSError:
            text = ""
        if text:
            return datetime.fromisoformat(text).astimezone(UTC).replace(microsecond=0)
    return datetime.now(UTC).replace(microsecond=0)


_PREPARED: dict[tuple[str, type], str] = {}


def prepared_rows(name: str, build, params: list) -> list[tuple]:
    """Rows of a hot query whose SQL peewee builds once per kind of database.

    Building a query's SQL costs peewee more than the database takes to answer
    it. ``build()`` makes the query (with the values ``params`` hold, already in
    their database form); its SQL is kept under ``name`` and later calls only
    bind ``params``. The first build checks that peewee binds them in that order.
    """
    return database.execute_sql(_prepared_sql(name, build, params), params).fetchall()


def _prepared_sql(name: str, build, params: list) -> str:
    key = (name, type(database.obj))
    sql = _PREPARED.get(key)
    if sql is None:
        sql, built = build().sql()
        if list(built) != list(params):
            raise RuntimeError(f"prepared query {name}: parameters out of order")
        _PREPARED[key] = sql
    return sql


def prepared_models(name: str, model, build, params: list) -> list:
    """Like :func:`prepared_rows`, but model instances (peewee converts each
    column as a ``select()`` would). ``build()`` must select whole rows of ``model``."""
    return list(model.raw(_prepared_sql(name, build, params), *params))


def prepared_execute(name: str, build, params: list) -> None:
    """Like :func:`prepared_rows` for a statement that returns no rows."""
    database.execute_sql(_prepared_sql(name, build, params), params)
