"""Backups: an encrypted, consistent snapshot of the database, in two places.

``hushbook backup`` takes a snapshot while the service runs (SQLite's online
backup API; ``pg_dump --format=custom`` inside an exported snapshot on
PostgreSQL), encrypts it to the operator's backup *public* key and writes the
same file to two destinations. The host that makes backups holds no key that
opens them: whoever takes that host (or its backup folders) reads no backup.

File format 1 (``hushbook-db-<UTC time>.hbk``)::

    MAGIC || body || manifest || sealed_key
          || uint32_be(len(manifest)) || uint32_be(len(sealed_key)) || END

    body        the payload (a SQLite file; pg_dump's custom format; for the
                delivery keys a JSON object) in chunks of 1 MiB, each sealed
                with AES-256-GCM under a fresh data key, nonce =
                uint88_be(chunk index) || final flag (0x01 on the last chunk):
                a body cut short, extended or re-ordered does not open.
    manifest    JSON, readable without the key: time, schema, row counts,
                each tenant's newest audit event (ids and hashes only), what is
                and is not inside, sizes and SHA-256 checksums.
    sealed_key  the data key sealed (HPKE: ``hushbook.sealing.seal``, purpose
                "backup-key") to the backup public key, bound to the manifest's
                SHA-256: an edited manifest does not open either.

Delivery keys are never in a database backup (deleting a month's key must
shred its contacts in every backup too); ``--delivery-keys`` writes them into
a file of their own, kept :data:`DELIVERY_KEEP_DAYS` days at most.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from Crypto.Cipher import AES
from Crypto.PublicKey.ECC import EccKey

from hushbook import sealing
from hushbook_service import audit
from hushbook_service.app import create_app
from hushbook_service.config import Settings
from hushbook_service.db import database, open_database, utcnow
from hushbook_service.migrations import available
from hushbook_service.migrations import migrate as apply_migrations
from hushbook_service.models import Message, Tenant
from hushbook_service.privacy import delivery

FORMAT = 1
MAGIC = b"HUSHBOOK-BACKUP\x00\x01\n"
END = b"\nHUSHBOOK-BACKUP-END\n"
TAIL = struct.Struct(">II")
CHUNK = 1 << 20
TAG = 16
KEY_PURPOSE = "backup-key"
PUBLIC_LABEL = "hushbook-backup-public-key"
PRIVATE_LABEL = "hushbook-backup-private-key"
# Delivery keys are backed up only to survive the loss of their folder; kept longer,
# old copies would still open contacts whose month has been shredded meanwhile.
DELIVERY_KEEP_DAYS = 14
STAMP = "%Y%m%dT%H%M%SZ"
NAME = re.compile(r"hushbook-(db|delivery-keys)-(\d{8}T\d{6}Z)\.hbk")
OWED_STATES = ("pending", "queued", "sending")

INSIDE_DB = [
    "every table of the database (row counts under 'tables'): businesses, team, "
    "services, hours, appointments, clients (profiles sealed to each business's key), "
    "consents, delivery contacts (sealed to monthly keys), the audit trail, "
    "the message ledger",
]
NOT_INSIDE_DB = [
    "delivery keys (HUSHBOOK_DELIVERY_KEYS_DIR): kept out so that deleting a month's "
    "key still shreds its contacts in this backup; see hushbook backup --delivery-keys",
    "token keys and index key (HUSHBOOK_TOKEN_KEYS, HUSHBOOK_INDEX_KEY or secrets.json): "
    "back them up apart; the audit chain verifies only with the same index key",
    "members' vault passphrases (only in their heads)",
    "the job queue (HUEY_URL): owed messages are re-queued from the message ledger",
]
INSIDE_DELIVERY = [
    "the private delivery keys of the months not yet shredded (one per month)",
]
NOT_INSIDE_DELIVERY = [
    f"anything of the database; keys of months already shredded; delete this file "
    f"after {DELIVERY_KEEP_DAYS} days (hushbook backup does)",
]


class BackupError(Exception):
    """A refusal or failure, in one line for the operator: never key material,
    personal data or tenant slugs."""


def version() -> str:
    try:
        return metadata.version("hushbook")
    except metadata.PackageNotFoundError:
        return "unknown"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(value: datetime | str) -> str:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- keys ------------------------------------------------------------------------------


def new_key_files(private_path: Path, public_path: Path) -> str:
    """Write a new backup key pair (private 0600, never overwriting); return the public key."""
    pair = sealing.generate_keypair()
    public = sealing.b64e(sealing.export_public_key(pair.public_key))
    private = sealing.b64e(sealing.export_private_key(pair.private_key))
    _write_new(
        private_path,
        "# Hushbook backup private key: it opens every backup. Keep it OFF the host that\n"
        "# makes backups (password manager, offline copy); restore and verify need it.\n"
        f"{PRIVATE_LABEL}: {private}\n",
        0o600,
    )
    _write_new(public_path, f"{PUBLIC_LABEL}: {public}\n", 0o644)
    return public


def _write_new(path: Path, text: str, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        raise BackupError(f"{path}: cannot create the key file ({exc.strerror})") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def _key_value(path: Path, label: str) -> str:
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        raise BackupError(f"{path}: cannot read the key file") from None
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == label:
            return value.strip()
    raise BackupError(f"{path}: not a {label} file (hushbook backup keygen makes one)")


def read_public_key(path: Path) -> EccKey:
    try:
        return sealing.import_public_key(_key_value(path, PUBLIC_LABEL))
    except ValueError:
        raise BackupError(f"{path}: the public key in it is damaged") from None


def read_private_key(path: Path) -> EccKey:
    try:
        return sealing.import_private_key(sealing.b64d(_key_value(path, PRIVATE_LABEL)))
    except ValueError:
        raise BackupError(f"{path}: the private key in it is damaged") from None


def _public_text(key: EccKey) -> str:
    return sealing.b64e(sealing.export_public_key(key))


def _key_aad(manifest_bytes: bytes) -> bytes:
    return b"hushbook/v1/backup-manifest/" + hashlib.sha256(manifest_bytes).digest()


# --- the encrypted body ----------------------------------------------------------------


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class _Sealer:
    """Encrypts a stream chunk by chunk into every open copy at once."""

    def __init__(self, data_key: bytes, outs: list[IO[bytes]]):
        self.data_key, self.outs = data_key, outs
        self.buffer = bytearray()
        self.index = 0
        self.size = 0
        self.plain = hashlib.sha256()
        self.cipher = hashlib.sha256()
        self.cipher_size = 0

    def write(self, data: bytes) -> None:
        self.plain.update(data)
        self.size += len(data)
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep the tail back: the last chunk is the final one
            self._emit(bytes(self.buffer[:CHUNK]), final=False)
            del self.buffer[:CHUNK]

    def finish(self) -> None:
        self._emit(bytes(self.buffer), final=True)
        self.buffer.clear()

    def _emit(self, chunk: bytes, final: bool) -> None:
        cipher = AES.new(self.data_key, AES.MODE_GCM, nonce=_nonce(self.index, final))
        sealed, tag = cipher.encrypt_and_digest(chunk)
        for out in self.outs:
            out.write(sealed)
            out.write(tag)
        self.cipher.update(sealed)
        self.cipher.update(tag)
        self.cipher_size += len(sealed) + TAG
        self.index += 1


@dataclass
class Backup:
    """A backup file as read from disk (header checked, body not yet)."""

    path: Path
    manifest: dict[str, Any]
    manifest_bytes: bytes
    sealed_key: bytes
    body_start: int
    body_length: int

    @property
    def name(self) -> str:
        return self.path.name


def read(path: Path) -> Backup:
    """The manifest and layout of ``path``; refuses what is no (whole) backup."""
    name = path.name
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if fh.read(len(MAGIC)) != MAGIC:
                raise BackupError(f"{name}: not a Hushbook backup")
            tail = TAIL.size + len(END)
            if size < len(MAGIC) + tail:
                raise BackupError(f"{name}: truncated (the end of the file is missing)")
            fh.seek(size - tail)
            end = fh.read(tail)
            if end[TAIL.size :] != END:
                raise BackupError(f"{name}: truncated (the end of the file is missing)")
            manifest_length, key_length = TAIL.unpack(end[: TAIL.size])
            body_end = size - tail - manifest_length - key_length
            if body_end < len(MAGIC) + TAG:
                raise BackupError(f"{name}: damaged (its parts do not add up)")
            fh.seek(body_end)
            manifest_bytes = fh.read(manifest_length)
            sealed_key = fh.read(key_length)
    except OSError as exc:
        raise BackupError(f"{name}: cannot read it ({exc.strerror})") from None
    try:
        manifest = json.loads(manifest_bytes)
        ok = isinstance(manifest, dict) and manifest.get("format") == FORMAT
    except ValueError:
        ok = False
    if not ok:
        raise BackupError(f"{name}: damaged (its manifest is not readable)")
    return Backup(path, manifest, manifest_bytes, sealed_key, len(MAGIC), body_end - len(MAGIC))


def check(path: Path) -> Backup:
    """Read ``path`` and compare its encrypted body with the manifest's checksum:
    no key needed, so any host can check its copies."""
    backup = read(path)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        fh.seek(backup.body_start)
        left = backup.body_length
        while left:
            block = fh.read(min(CHUNK, left))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    payload = backup.manifest.get("payload", {})
    if (
        payload.get("encrypted_bytes") != backup.body_length
        or payload.get("encrypted_sha256") != digest.hexdigest()
    ):
        raise BackupError(
            f"{backup.name}: damaged or changed (its encrypted data does not match "
            "the checksum in its manifest)"
        )
    return backup


def data_key(backup: Backup, private_key: EccKey) -> bytes:
    """Open the data key: proves the manifest is the one written with the body."""
    recipient = backup.manifest.get("recipient", "")
    mine = _public_text(private_key.public_key())
    if recipient != mine:
        raise BackupError(
            f"{backup.name}: made for another backup key (public key {str(recipient)[:10]}…, "
            f"this private key's is {mine[:10]}…)"
        )
    try:
        return sealing.open_sealed(
            private_key, backup.sealed_key, _key_aad(backup.manifest_bytes), purpose=KEY_PURPOSE
        )
    except (sealing.SealError, ValueError):
        raise BackupError(
            f"{backup.name}: its manifest was changed (the data key does not open with it)"
        ) from None


def plaintext(backup: Backup, key: bytes) -> Iterator[bytes]:
    """The payload, chunk by chunk, each authenticated before it is handed out;
    :class:`BackupError` on the first chunk that does not open, or at the end."""
    digest, size, index, offset = hashlib.sha256(), 0, 0, 0
    with backup.path.open("rb") as fh:
        fh.seek(backup.body_start)
        while True:
            length = min(CHUNK + TAG, backup.body_length - offset)
            final = offset + length == backup.body_length
            block = fh.read(length)
            if length < TAG or len(block) != length:
                raise BackupError(f"{backup.name}: truncated")
            cipher = AES.new(key, AES.MODE_GCM, nonce=_nonce(index, final))
            try:
                chunk = cipher.decrypt_and_verify(block[:-TAG], block[-TAG:])
            except ValueError:
                raise BackupError(
                    f"{backup.name}: damaged or changed (part {index + 1} does not authenticate)"
                ) from None
            digest.update(chunk)
            size += len(chunk)
            yield chunk
            offset, index = offset + length, index + 1
            if final:
                break
    payload = backup.manifest["payload"]
    if size != payload.get("bytes") or digest.hexdigest() != payload.get("sha256"):
        raise BackupError(f"{backup.name}: damaged (the payload's checksum does not match)")


# --- databases: what a snapshot holds --------------------------------------------------


def is_postgres(url: str) -> bool:
    return url.startswith("postgres")


def sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _pg_connection(url: str, dbname: str | None = None) -> tuple[str, dict[str, str]]:
    """A libpq connection string for ``url`` without its password (command lines
    are visible to every user), and the environment that carries the password."""
    from playhouse.db_url import parse
    from psycopg2.extensions import make_dsn  # type: ignore[import-untyped]

    params = {k: v for k, v in parse(url).items() if v is not None}
    password = params.pop("password", None)
    params["dbname"] = dbname or params.pop("database")
    params.pop("database", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return make_dsn(**params), env


def _pg_connect(url: str, dbname: str | None = None):
    import psycopg2  # type: ignore[import-untyped]

    dsn, env = _pg_connection(url, dbname)
    try:
        return psycopg2.connect(dsn, password=env.get("PGPASSWORD"))
    except psycopg2.Error as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise BackupError(f"cannot connect to PostgreSQL: {reason}") from None


Query = Callable[[str], list[tuple]]
PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"


@contextmanager
def queries(url: str) -> Iterator[tuple[Query, list[str]]]:
    """Run SQL on the database at ``url`` (never through the models: a backup's
    schema may be older than the code); yields the runner and the table names."""
    if is_postgres(url):
        conn = _pg_connect(url)
        try:
            cur = conn.cursor()

            def query(sql: str) -> list[tuple]:
                cur.execute(sql)
                return cur.fetchall()

            yield query, [r[0] for r in query(PG_TABLES)]
        finally:
            conn.rollback()
            conn.close()
        return
    path = sqlite_file(url)
    if not path.exists():
        yield (lambda sql: []), []
        return
    lite = sqlite3.connect(path, timeout=15)
    try:
        yield _sqlite_queries(lite)
    finally:
        lite.close()


def _sqlite_queries(lite: sqlite3.Connection) -> tuple[Query, list[str]]:
    def query(sql: str) -> list[tuple]:
        return lite.execute(sql).fetchall()

    tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return query, [r[0] for r in query(tables)]


def facts(query: Query, tables: list[str]) -> dict[str, Any]:
    """Schema, row counts and each tenant's newest audit event: what the manifest
    records and what a restore is compared with."""
    migrations = []
    if "schema_migration" in tables:
        migrations = [r[1] for r in query("SELECT version, name FROM schema_migration ORDER BY 1")]
    heads: dict[str, dict[str, Any]] = {}
    if "audit_event" in tables:
        rows = query(
            "SELECT tenant_id, seq, hash, at FROM audit_event e WHERE seq = "
            "(SELECT max(seq) FROM audit_event m WHERE m.tenant_id = e.tenant_id) ORDER BY 1"
        )
        heads = {str(t): {"seq": seq, "hash": h, "at": _iso(at)} for t, seq, h, at in rows}
    return {
        "schema": {"migrations": migrations},
        "tables": {t: _count(query, t) for t in sorted(tables)},
        "audit_heads": heads,
    }


def _count(query: Query, table: str) -> int:
    return query(f'SELECT count(*) FROM "{table}"')[0][0]  # noqa: S608 - a name from the catalog


def rows_in(url: str) -> int:
    """Rows in the database's tables, the migrations' own bookkeeping left out."""
    with queries(url) as (query, tables):
        return sum(_count(query, t) for t in tables if t != "schema_migration")


def _refuse_newer(backup: Backup) -> None:
    known = {name for _version, name in available()}
    newer = [n for n in backup.manifest["schema"]["migrations"] if n not in known]
    if newer:
        raise BackupError(
            f"{backup.name}: from a newer schema ({', '.join(newer)}) than this Hushbook "
            f"{version()} knows: upgrade Hushbook first, then restore"
        )


def _program(name: str) -> str:
    """A PostgreSQL client program (pg_dump no older than the server's version)."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client-15)")
    return found


# --- making a backup -------------------------------------------------------------------


@dataclass
class Made:
    files: list[Path]
    manifest: dict[str, Any]


@dataclass
class Outcome:
    made: list[Made] = field(default_factory=list)
    pruned: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def create(
    settings: Settings,
    destinations: list[Path],
    public_key: EccKey,
    *,
    with_delivery_keys: bool = False,
    keep_daily: int = 7,
    keep_monthly: int = 3,
    hook: str | None = None,
) -> Outcome:
    """Back up the database (and, asked for, the delivery keys) into every
    destination, prune old backups there, then run ``hook`` for each file."""
    outcome = Outcome(warnings=_check_destinations(destinations))
    outcome.made.append(_database_backup(settings, destinations, public_key))
    if with_delivery_keys:
        made = _delivery_backup(settings, destinations, public_key)
        if made is None:
            outcome.warnings.append("no delivery keys to back up (none left unshredded)")
        else:
            outcome.made.append(made)
    keep = {f.name for m in outcome.made for f in m.files}
    for folder in destinations:
        outcome.pruned += prune(folder, keep_daily, keep_monthly, _now(), keep)
    for made in outcome.made:
        if hook:
            _run_hook(hook, made.files[0])
    return outcome


def _check_destinations(destinations: list[Path]) -> list[str]:
    resolved = [d.resolve() for d in destinations]
    if len(set(resolved)) < 2:
        raise BackupError("backups go to two destinations: --to FOLDER --to OTHER-FOLDER")
    for folder in resolved:
        # Never made here: a mount that is not mounted would be filled in its place.
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise BackupError(f"{folder}: not a folder this user can write to")
    devices = {f.stat().st_dev for f in resolved}
    if len(devices) < len(resolved):
        return ["two destinations are on the same file system: one disk failure loses both"]
    return []


def _stamp(when: datetime) -> str:
    return when.strftime(STAMP)


def _database_backup(settings: Settings, destinations: list[Path], public_key: EccKey) -> Made:
    url = settings.database_url
    if is_postgres(url):
        return _write(destinations, public_key, lambda sink: _pg_snapshot(url, sink), "db")
    source = sqlite_file(url)
    if not source.exists():
        raise BackupError("DATABASE_URL: there is no SQLite database at that path")
    # The snapshot is a private copy beside the database (same folder, same protection).
    with tempfile.TemporaryDirectory(dir=source.parent, prefix=".hushbook-backup-") as tmp:
        copy = Path(tmp) / "snapshot.db"
        taken = _now()
        src, dst = sqlite3.connect(source, timeout=15), sqlite3.connect(copy)
        try:
            src.backup(dst)  # in one step: a consistent snapshot while writers go on (WAL)
            found = facts(*_sqlite_queries(dst))
        finally:
            src.close()
            dst.close()

        def produce(sink: Callable[[bytes], None]) -> dict[str, Any]:
            with copy.open("rb") as fh:
                for block in iter(lambda: fh.read(CHUNK), b""):
                    sink(block)
            return _db_manifest(taken, "sqlite", "sqlite-file", found)

        return _write(destinations, public_key, produce, "db")


def _pg_snapshot(url: str, sink: Callable[[bytes], None]) -> dict[str, Any]:
    """pg_dump inside a snapshot this connection exported: the counts and audit
    heads in the manifest are those of the dump, exactly."""
    import psycopg2.extensions

    conn = _pg_connect(url)
    try:
        conn.set_session(
            isolation_level=psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True
        )
        cur = conn.cursor()
        taken = _now()
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]

        def query(sql: str) -> list[tuple]:
            cur.execute(sql)
            return cur.fetchall()

        tables = [r[0] for r in query(PG_TABLES)]
        found = facts(query, tables)
        dsn, env = _pg_connection(url)
        with tempfile.TemporaryFile() as errors:
            dump = subprocess.Popen(  # noqa: S603 - fixed program, no shell
                [_program("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--dbname", dsn],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
            )
            assert dump.stdout is not None
            for block in iter(lambda: dump.stdout.read(CHUNK), b""):  # type: ignore[union-attr]
                sink(block)
            if dump.wait() != 0:
                raise BackupError(f"pg_dump failed: {_first_line(errors)}")
    finally:
        conn.rollback()
        conn.close()
    return _db_manifest(taken, "postgresql", "pg_dump-custom", found)


def _first_line(fh: IO[bytes]) -> str:
    fh.seek(0)
    lines = fh.read().decode(errors="replace").strip().splitlines()
    return lines[0] if lines else "no message"


def _db_manifest(taken: datetime, kind: str, payload: str, found: dict) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": "database",
        "created_at": _iso(taken),
        "hushbook": version(),
        "database": kind,
        "payload": {"type": payload},
        **found,
        "inside": INSIDE_DB,
        "not_inside": NOT_INSIDE_DB,
    }


def _delivery_backup(settings: Settings, destinations: list[Path], public_key: EccKey):
    folder = settings.delivery_keys_dir
    assert folder is not None  # load_settings fills it in
    now = _now()
    grace = timedelta(days=settings.delivery_grace_days)
    keys = {}
    for path in sorted(folder.glob(f"*{delivery.KEY_SUFFIX}")) if folder.exists() else []:
        epoch = path.name.removesuffix(delivery.KEY_SUFFIX)
        if not delivery.shred_due(epoch, now, grace):  # due for shredding: let it go
            keys[epoch] = sealing.b64e(path.read_bytes())
    if not keys:
        return None

    def produce(sink: Callable[[bytes], None]) -> dict[str, Any]:
        sink(json.dumps({"keys": keys}, sort_keys=True).encode())
        return {
            "format": FORMAT,
            "kind": "delivery-keys",
            "created_at": _iso(now),
            "hushbook": version(),
            "payload": {"type": "json"},
            "epochs": sorted(keys),
            "delete_after": _iso(now + timedelta(days=DELIVERY_KEEP_DAYS)),
            "inside": INSIDE_DELIVERY,
            "not_inside": NOT_INSIDE_DELIVERY,
        }

    return _write(destinations, public_key, produce, "delivery-keys")


def _write(
    destinations: list[Path],
    public_key: EccKey,
    produce: Callable[[Callable[[bytes], None]], dict[str, Any]],
    kind: str,
) -> Made:
    """Stream the payload, encrypted, into a partial file in every destination;
    add the manifest and the sealed data key; sync; give them their name."""
    partials = [d / f".hushbook-{kind}-{secrets.token_hex(4)}.partial" for d in destinations]
    outs: list[IO[bytes]] = []
    try:
        for path in partials:
            outs.append(os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb"))
        for out in outs:
            out.write(MAGIC)
        key = secrets.token_bytes(32)
        sealer = _Sealer(key, outs)
        manifest = produce(sealer.write)
        sealer.finish()
        manifest["payload"].update(
            bytes=sealer.size,
            sha256=sealer.plain.hexdigest(),
            encrypted_bytes=sealer.cipher_size,
            encrypted_sha256=sealer.cipher.hexdigest(),
        )
        manifest["encryption"] = (
            "AES-256-GCM in 1 MiB chunks under a data key sealed with HPKE "
            "(X25519, HKDF-SHA256, AES-256-GCM) to the recipient"
        )
        manifest["recipient"] = _public_text(public_key)
        manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1).encode()
        sealed = sealing.seal(public_key, key, _key_aad(manifest_bytes), purpose=KEY_PURPOSE)
        for out in outs:
            out.write(manifest_bytes + sealed + TAIL.pack(len(manifest_bytes), len(sealed)) + END)
            out.flush()
            os.fsync(out.fileno())
            out.close()
        name = f"hushbook-{kind}-{_stamp(datetime.fromisoformat(manifest['created_at']))}.hbk"
        files = []
        for path, folder in zip(partials, destinations, strict=True):
            final = folder / name
            if final.exists():
                raise BackupError(f"{final}: a backup of that second exists already")
            os.replace(path, final)
            _sync_folder(folder)
            files.append(final)
        for final in files:
            check(final)  # each copy read back from its disk
        return Made(files, manifest)
    finally:
        for out in outs:
            out.close()
        for path in partials:
            path.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def retained(stamps: list[datetime], keep_daily: int, keep_monthly: int) -> set[datetime]:
    """The newest backup of each of the ``keep_daily`` latest days that have one,
    and of each of the ``keep_monthly`` latest months."""
    keep: set[datetime] = set()
    days: set[tuple[int, int, int]] = set()
    months: set[tuple[int, int]] = set()
    for stamp in sorted(stamps, reverse=True):
        day, month = (stamp.year, stamp.month, stamp.day), (stamp.year, stamp.month)
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(stamp)
        if month not in months and len(months) < keep_monthly:
            months.add(month)
            keep.add(stamp)
    return keep


def prune(
    folder: Path, keep_daily: int, keep_monthly: int, now: datetime, keep: set[str]
) -> list[Path]:
    """Delete the backups in ``folder`` that retention lets go (only files named
    as this module names them; ``keep``: names never to delete)."""
    databases: dict[datetime, Path] = {}
    doomed = []
    for path in folder.iterdir():
        match = NAME.fullmatch(path.name)
        if not match:
            continue
        stamp = datetime.strptime(match[2], STAMP).replace(tzinfo=UTC)
        if match[1] == "db":
            databases[stamp] = path  # the ones just made count for their day and month
        elif now - stamp > timedelta(days=DELIVERY_KEEP_DAYS) and path.name not in keep:
            doomed.append(path)
    kept = retained(list(databases), keep_daily, keep_monthly)
    doomed += [p for stamp, p in databases.items() if stamp not in kept and p.name not in keep]
    for path in doomed:
        path.unlink(missing_ok=True)
    return sorted(doomed)


def _run_hook(hook: str, file: Path) -> None:
    """The operator's command for an off-site copy: ``{file}`` replaced by the path
    (appended when absent); no shell. Its failure fails the backup command."""
    words = shlex.split(hook)
    if not any("{file}" in w for w in words):
        words.append("{file}")
    args = [w.replace("{file}", str(file)) for w in words]
    try:
        done = subprocess.run(args, check=False)  # noqa: S603 - the operator's own command
    except OSError as exc:
        raise BackupError(f"--hook: cannot run {words[0]!r} ({exc.strerror})") from None
    if done.returncode != 0:
        raise BackupError(f"--hook exited with status {done.returncode} for {file.name}")


# --- restoring -------------------------------------------------------------------------


def load(backup: Backup, key: bytes, url: str) -> None:
    """Put the backup's database into ``url``, replacing what is there, all or
    nothing: every chunk is authenticated before it counts."""
    kind = "postgresql" if is_postgres(url) else "sqlite"
    if backup.manifest["database"] != kind:
        raise BackupError(
            f"{backup.name}: a {backup.manifest['database']} backup restores into "
            f"{backup.manifest['database']} only (DATABASE_URL is {kind})"
        )
    if kind == "sqlite":
        _load_sqlite(backup, key, sqlite_file(url))
    else:
        _load_postgres(backup, key, url)


def _load_sqlite(backup: Backup, key: bytes, target: Path) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".hushbook-restore-") as tmp:
        copy = Path(tmp) / "restore.db"
        with copy.open("wb") as out:
            for chunk in plaintext(backup, key):
                out.write(chunk)
        src = sqlite3.connect(copy)
        dst = sqlite3.connect(target, timeout=15)
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{backup.name}: the database inside fails its integrity check")
            src.backup(dst)  # every page of the target replaced, in one transaction
        finally:
            src.close()
            dst.close()


def _load_postgres(backup: Backup, key: bytes, url: str) -> None:
    """pg_restore turns the dump into SQL; psql runs it after dropping the public
    schema, in one transaction that commits only when the whole backup
    authenticated (psql is killed, never sent end-of-input, on any failure)."""
    dsn, env = _pg_connection(url)
    failures: list[str] = []
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        restore = subprocess.Popen(  # noqa: S603 - fixed program
            [_program("pg_restore"), "--no-owner", "--no-privileges", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=restore_errors,
            env=env,
        )
        psql = subprocess.Popen(  # noqa: S603 - fixed program
            [_program("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"]
            + ["--single-transaction", "--dbname", dsn]
            + ["--command", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        assert restore.stdin and restore.stdout and psql.stdin

        def feed() -> None:
            try:
                for chunk in plaintext(backup, key):
                    restore.stdin.write(chunk)  # type: ignore[union-attr]
            except BackupError as exc:
                failures.append(str(exc))
            except BrokenPipeError:
                pass  # pg_restore stopped: its status says why
            finally:
                try:
                    restore.stdin.close()  # type: ignore[union-attr]
                except BrokenPipeError:
                    pass

        feeder = threading.Thread(target=feed, name="backup-feed", daemon=True)
        feeder.start()
        try:
            for block in iter(lambda: restore.stdout.read(CHUNK), b""):  # type: ignore[union-attr]
                psql.stdin.write(block)
        except BrokenPipeError:
            failures.append(f"psql: {_first_line(psql_errors)}")
        feeder.join()
        if restore.wait() != 0 and not failures:
            failures.append(f"pg_restore: {_first_line(restore_errors)}")
        if failures or psql.poll() is not None:
            psql.kill()  # no end-of-input: the transaction (and the DROP) never commits
            psql.wait()
            raise BackupError(failures[0] if failures else f"psql: {_first_line(psql_errors)}")
        psql.stdin.close()
        if psql.wait() != 0:
            raise BackupError(f"psql: {_first_line(psql_errors)}")


@dataclass
class Inspection:
    """A restored database compared with its manifest, its audit chains checked."""

    facts: dict[str, Any]
    problems: list[str]
    migrated: list[str]
    chains: list[tuple[int, audit.Verdict]]
    owed: int

    @property
    def ok(self) -> bool:
        return not self.problems and all(v.ok for _t, v in self.chains)


def inspect(settings: Settings, url: str, manifest: dict[str, Any]) -> Inspection:
    """Compare ``url`` with ``manifest`` (schema, row counts, audit heads) as
    restored, then migrate it and check every tenant's audit chain."""
    with queries(url) as (query, tables):
        found = facts(query, tables)
    problems = []
    if found["schema"] != manifest["schema"]:
        problems.append("the schema differs from the manifest's")
    for table in sorted(set(found["tables"]) | set(manifest["tables"])):
        have, want = found["tables"].get(table), manifest["tables"].get(table)
        if have != want:
            problems.append(f"table {table}: {have} rows, the manifest says {want}")
    if found["audit_heads"] != manifest["audit_heads"]:
        problems.append("the newest audit events differ from the manifest's")
    db = open_database(url)
    with db.connection_context():
        migrated = apply_migrations(db)
    app = create_app(replace(settings, database_url=url))
    with app.app_context(), database.connection_context():
        chains = [(t.id, audit.verify(t.id)) for t in Tenant.select(Tenant.id).order_by(Tenant.id)]
        owed = (
            Message.select()
            .where(
                Message.state.in_(OWED_STATES[1:])
                | ((Message.state == "pending") & (Message.due_at <= utcnow()))
            )
            .count()
        )
    return Inspection(found, problems, migrated, chains, owed)


def restore(settings: Settings, path: Path, private_key: EccKey, force: bool) -> Inspection:
    """Restore a database backup into ``DATABASE_URL``."""
    backup = check(path)
    key = data_key(backup, private_key)
    if backup.manifest.get("kind") != "database":
        raise BackupError(f"{backup.name}: not a database backup")
    _refuse_newer(backup)
    rows = rows_in(settings.database_url)
    if rows and not force:
        raise BackupError(
            f"the database is not empty ({rows} rows): restore overwrites it only with --force"
        )
    load(backup, key, settings.database_url)
    return inspect(settings, settings.database_url, backup.manifest)


def restore_delivery_keys(
    settings: Settings, path: Path, private_key: EccKey
) -> dict[str, list[str]]:
    """Put back the delivery keys of a delivery-keys backup: never a month that
    is due for shredding by now, never over a different key."""
    backup = check(path)
    key = data_key(backup, private_key)
    if backup.manifest.get("kind") != "delivery-keys":
        raise BackupError(f"{backup.name}: not a delivery-keys backup")
    keys = json.loads(b"".join(plaintext(backup, key)))["keys"]
    folder = settings.delivery_keys_dir
    assert folder is not None
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    grace = timedelta(days=settings.delivery_grace_days)
    done: dict[str, list[str]] = {"restored": [], "present": [], "shredded": [], "conflict": []}
    for epoch, text in sorted(keys.items()):
        raw = sealing.b64d(text)
        target = folder / f"{epoch}{delivery.KEY_SUFFIX}"
        if delivery.shred_due(epoch, _now(), grace):
            done["shredded"].append(epoch)
        elif target.exists():
            done["present" if target.read_bytes() == raw else "conflict"].append(epoch)
        else:
            _write_new_bytes(target, raw)
            done["restored"].append(epoch)
    return done


def _write_new_bytes(path: Path, raw: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw)


@contextmanager
def scratch_database(settings: Settings, backup: Backup, url: str | None) -> Iterator[str]:
    """Where ``verify`` restores: ``url`` (must hold no rows; left as restored),
    else a temporary SQLite file or a temporary PostgreSQL database beside
    ``DATABASE_URL`` (``<name>_verify_<random>``, dropped after)."""
    if url:
        if rows_in(url):
            raise BackupError("--scratch-url: that database is not empty; verify never overwrites")
        yield url
        return
    if backup.manifest["database"] == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hushbook-verify-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'verify.db'}"
        return
    if not is_postgres(settings.database_url):
        raise BackupError(
            f"{backup.name}: a postgresql backup; give a scratch database: --scratch-url "
            "postgresql://…"
        )
    from playhouse.db_url import parse

    name = f"{parse(settings.database_url)['database']}_verify_{secrets.token_hex(4)}"
    admin = _pg_connect(settings.database_url, "postgres")
    admin.autocommit = True
    try:
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        try:
            yield _with_database(settings.database_url, name)
        finally:
            if not database.is_closed():
                database.close()
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url)._replace(path=f"/{name}").geturl()


def verify(
    settings: Settings, path: Path, private_key: EccKey, scratch_url: str | None = None
) -> Inspection:
    """Restore into a scratch database, compare it with the manifest, check
    every audit chain; the scratch database is dropped after."""
    backup = check(path)
    key = data_key(backup, private_key)
    if backup.manifest.get("kind") != "database":
        keys = json.loads(b"".join(plaintext(backup, key)))["keys"]
        problems = [] if sorted(keys) == backup.manifest["epochs"] else ["epochs differ"]
        return Inspection({"epochs": sorted(keys)}, problems, [], [], 0)
    _refuse_newer(backup)
    with scratch_database(settings, backup, scratch_url) as url:
        load(backup, key, url)
        return inspect(settings, url, backup.manifest)


# --- what a restore lost ---------------------------------------------------------------


@dataclass
class Gap:
    """Per tenant: what the old database holds that the restored one does not."""

    appointments: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, int] = field(default_factory=dict)
    erased_clients: list[int] = field(default_factory=list)


def missing(restored_url: str, old_url: str) -> dict[int, Gap]:
    """Compare the restored database with the old one (a damaged disk still
    readable, a replica, a copy taken before a bad change): appointments made or
    changed after the snapshot, audit events not in the restored chains (and the
    erasures among them, which must be repeated). Ids and times only."""
    appointments = "SELECT id, tenant_id, start_at, status, created_at, updated_at FROM appointment"
    events = "SELECT tenant_id, seq, hash, action, target_kind, target_id FROM audit_event"
    with queries(restored_url) as (query, _tables):
        have = {(r[0], _iso(r[4])): r for r in query(appointments)}
        chain = {(r[0], r[1], r[2]) for r in query(events)}
    with queries(old_url) as (query, tables):
        if "appointment" not in tables:
            raise BackupError("--old-database: no Hushbook database there")
        old = query(appointments)
        old_events = query(events)
    gaps: dict[int, Gap] = {}
    for row in old:
        id_, tenant_id, start_at, status, created_at, updated_at = row
        twin = have.get((id_, _iso(created_at)))
        item = {"id": id_, "start": _iso(start_at), "status": status, "at": _iso(updated_at)}
        if twin is None:
            gaps.setdefault(tenant_id, Gap()).appointments.append(item)
        elif (_iso(twin[2]), twin[3], _iso(twin[5])) != (item["start"], status, item["at"]):
            gaps.setdefault(tenant_id, Gap()).changed.append(item)
    for tenant_id, seq, digest, action, target_kind, target_id in old_events:
        if (tenant_id, seq, digest) in chain:
            continue
        gap = gaps.setdefault(tenant_id, Gap())
        gap.events[action] = gap.events.get(action, 0) + 1
        if action == "client.erase" and target_kind == "client":
            gap.erased_clients.append(target_id)
    for gap in gaps.values():
        gap.appointments.sort(key=lambda a: a["id"])
        gap.changed.sort(key=lambda a: a["id"])
        gap.erased_clients.sort()
    return gaps
