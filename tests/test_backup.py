"""Backups (``hushbook backup``/``restore``): the drill of issue 17, on the test
database (SQLite, or PostgreSQL with HUSHBOOK_TEST_DATABASE_URL).

A salon seeded through the API is backed up by the real command while a real
server keeps taking bookings; the database is destroyed, the first copy lost
with it; the second copy is restored into a fresh instance. Its audit chain
verifies, its row counts are the manifest's, every sealed profile opens with
the owner's vault to what was written, and the bookings made after the
snapshot are listed as missing. Tampered, truncated, foreign-key and
newer-schema backups are refused in one line, the target left as it was.
"""

from __future__ import annotations

import itertools
import json
import secrets
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from click.testing import CliRunner

import hushbook
from hushbook import sealing
from hushbook_service import backup
from hushbook_service.cli import main
from hushbook_service.config import load_settings
from hushbook_service.db import database
from hushbook_service.models import Appointment, SchemaMigration
from hushbook_service.privacy import delivery
from support.api import book_online, make_shop, next_local_day
from support.config import PASSWORD, TEST_DB_URL, VAULT_LOG_N, on_postgres
from support.db import empty_database, sqlite_path, sqlite_sidecars
from support.processes import service_env, start_server, stop_server
from support.tenants import vault_passphrase

pytestmark = pytest.mark.system  # the real `hushbook` command, a real server

PROFILES = [
    {"name": "Anna Arendt", "email": "anna@example.org", "phone": "+49 170 1111111"},
    {"name": "Bülent Çelik", "email": "buelent@example.org"},
    {"name": "Chloé Dupont", "phone": "+33 6 12 34 56 78"},
    {"name": "Dörte Dahl"},
]


def hb(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hushbook_service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def pg_admin(*statements: str | tuple[str, tuple]) -> None:
    import psycopg2

    conn = psycopg2.connect(urlsplit(TEST_DB_URL)._replace(path="/postgres").geturl())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for statement in statements:
                sql, params = statement if isinstance(statement, tuple) else (statement, ())
                cur.execute(sql, params)
    finally:
        conn.close()


def pg_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def pg_url(name: str) -> str:
    return urlsplit(TEST_DB_URL)._replace(path=f"/{name}").geturl()


def disconnect_all(name: str) -> None:
    pg_admin(
        (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
    )


@pytest.fixture
def backup_keys(tmp_path):
    backup.new_key_files(tmp_path / "backup.key", tmp_path / "backup.pub")
    return tmp_path / "backup.key", tmp_path / "backup.pub"


@pytest.fixture
def folders(tmp_path):
    made = [tmp_path / name for name in ("copy-a", "copy-b", "offsite")]
    for folder in made:
        folder.mkdir()
    return made


@pytest.fixture
def old_database():
    """Where the drill keeps the destroyed database (a disk still readable)."""
    names: list[str] = []
    yield names
    for name in names:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(client, make_tenant):
    """A salon through the API: clients with sealed profiles (sealed by the service
    on arrival, and on the owner's side), appointments with delivery contacts,
    online bookings (messages), audit events all along."""
    shop = make_shop(client, make_tenant)
    h = shop.owner.headers
    public = shop.tenant_key.public_key()
    opened = {}
    for i, profile in enumerate(PROFILES):
        if i % 2:
            key = sealing.new_client_key()
            body = {
                "client_key": key,
                "sealed_profile": sealing.seal_profile(public, shop.tenant.id, key, profile),
            }
        else:
            body = {"profile": profile}
        r = client.post("/v1/clients", json=body, headers=h)
        assert r.status_code == 201, r.json
        opened[r.json["id"]] = profile
    day = next_local_day(2)
    for i, client_id in enumerate(opened):
        r = client.post(
            "/v1/appointments",
            json={
                "service_id": shop.cut["id"],
                "staff_id": shop.stylists[i % 2].staff.id,
                "start": f"{day.isoformat()}T{9 + i:02d}:00:00",
                "client_id": client_id,
                "notify": {"email": f"kundin{i}@example.org"},
            },
            headers=h,
        )
        assert r.status_code == 201, r.json
    for i in range(2):
        book_online(client, shop, email=f"online{i}@example.org")
    return shop, opened


class Bookings(threading.Thread):
    """Staff bookings through the real server, one after the other, until stopped:
    (time sent, id) of each one made."""

    def __init__(self, url, shop):
        super().__init__(daemon=True)
        self.url, self.shop = url, shop
        self.made: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self.failure: str | None = None

    def run(self):
        first = next_local_day(20)
        with requests.Session() as http:
            for n in itertools.count():
                if self.stop.is_set():
                    return
                day = first + timedelta(days=n // 24)
                start = datetime(day.year, day.month, day.day, 9) + timedelta(
                    minutes=45 * ((n // 2) % 12)
                )
                sent = time.monotonic()
                r = http.post(
                    f"{self.url}/v1/appointments",
                    json={
                        "service_id": self.shop.cut["id"],
                        "staff_id": self.shop.stylists[n % 2].staff.id,
                        "start": start.isoformat(),
                    },
                    headers=self.shop.owner.headers,
                    timeout=60,
                )
                if r.status_code != 201:
                    self.failure = f"{r.status_code} {r.text[:200]}"
                    return
                self.made.append((sent, r.json()["id"]))

    def ids(self, after: float = 0.0, before: float = float("inf")) -> set[int]:
        return {i for sent, i in self.made if after <= sent and sent < before}

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.made) < count and self.failure is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.failure is None, self.failure
        assert len(self.made) >= count, "the server took no bookings"


def test_backup_drill(
    app, client, settings, make_tenant, backup_keys, folders, tmp_path, old_database
):
    private_key, public_key = backup_keys
    copy_a, copy_b, offsite = folders
    shop, opened = seed(client, make_tenant)
    owner_email = shop.owner.staff.email
    passphrase = vault_passphrase(shop.owner.staff)
    with app.app_context(), database.connection_context():
        contact_of = {a.id: delivery.open_contact(a) for a in Appointment.select()}
    # A month nobody books any more, due for shredding: never copied into a backup.
    settings.delivery_keys_dir.joinpath("2020-01.key").write_bytes(secrets.token_bytes(32))
    key_files = {p.name: p.read_bytes() for p in settings.delivery_keys_dir.glob("*.key")}
    env = service_env(settings)

    # --- back up while bookings keep arriving ------------------------------------------
    server = start_server(settings)
    try:
        bookings = Bookings(server.url, shop)
        bookings.start()
        bookings.wait_for(3)
        started = time.monotonic()
        made = hb(
            env,
            "backup",
            "--to",
            str(copy_a),
            "--to",
            str(copy_b),
            "--public-key",
            str(public_key),
            "--delivery-keys",
            "--hook",
            f"cp {{file}} {offsite}/",
        )
        finished = time.monotonic()
        assert made.returncode == 0, made.stderr
        bookings.wait_for(len(bookings.made) + 3)  # and some after it
        bookings.stop.set()
        bookings.join(timeout=60)
        assert bookings.failure is None, bookings.failure
        erased_id = max(opened)  # an erasure after the snapshot, undone by the restore
        r = requests.delete(
            f"{server.url}/v1/clients/{erased_id}", headers=shop.owner.headers, timeout=60
        )
        assert r.status_code == 204, r.text
    finally:
        stop_server(server)
    during = bookings.ids(started, finished)
    assert during, "no booking arrived while the backup ran"
    before, after = bookings.ids(before=started), bookings.ids(after=finished)

    (db_copy,) = copy_b.glob("hushbook-db-*.hbk")
    (keys_copy,) = copy_b.glob("hushbook-delivery-keys-*.hbk")
    assert sorted(p.name for p in copy_a.iterdir()) == sorted(p.name for p in copy_b.iterdir())
    for name in (db_copy.name, keys_copy.name):  # the hook made the off-site copy
        assert (offsite / name).read_bytes() == (copy_a / name).read_bytes()
        assert (copy_b / name).read_bytes() == (copy_a / name).read_bytes()
    manifest = backup.read(db_copy).manifest
    assert manifest["kind"] == "database" and manifest["created_at"] in made.stdout
    assert any("delivery keys" in line for line in manifest["not_inside"])
    assert manifest["schema"]["migrations"][0] == "m0001_initial"
    assert "Anna" not in db_copy.read_text(errors="replace")  # encrypted, manifest included
    # Delivery keys never inside the database backup; apart, without the shredded month.
    key = backup.data_key(backup.read(db_copy), backup.read_private_key(private_key))
    payload = b"".join(backup.plaintext(backup.read(db_copy), key))
    assert all(raw not in payload for raw in key_files.values())
    keys_manifest = backup.read(keys_copy).manifest
    assert keys_manifest["epochs"] == sorted(n[:-4] for n in key_files if n != "2020-01.key")

    # --- the disaster: the database and the first copy are gone -------------------------
    database.close()
    if on_postgres():
        old_name = f"{pg_name(TEST_DB_URL)}_old"
        old_database.append(old_name)
        disconnect_all(pg_name(TEST_DB_URL))
        pg_admin(
            f'DROP DATABASE IF EXISTS "{old_name}"',
            f'ALTER DATABASE "{pg_name(TEST_DB_URL)}" RENAME TO "{old_name}"',
            f'CREATE DATABASE "{pg_name(TEST_DB_URL)}"',
        )
        old_url, fresh_url = pg_url(old_name), TEST_DB_URL
    else:
        (tmp_path / "old").mkdir()
        for path in [
            sqlite_path(settings.database_url),
            *sqlite_sidecars(sqlite_path(settings.database_url)),
        ]:
            if path.exists():
                path.rename(tmp_path / "old" / path.name)
        old_url = f"sqlite:///{tmp_path / 'old' / 'hushbook.db'}"
        fresh_url = f"sqlite:///{tmp_path / 'fresh' / 'hushbook.db'}"
    shutil.rmtree(copy_a)
    shutil.rmtree(settings.delivery_keys_dir)

    # --- restore from the second copy into a fresh instance ------------------------------
    fresh = load_settings(
        instance=tmp_path / "fresh",
        database_url=fresh_url,
        huey_url=f"sqlite:///{tmp_path / 'fresh-huey.db'}",
    )
    fresh_env = service_env(fresh)
    restored = hb(fresh_env, "restore", str(db_copy), "--key", str(private_key))
    assert restored.returncode == 0, restored.stderr
    out = restored.stdout
    assert f"snapshot {manifest['created_at']}" in out and "DIFFERS" not in out
    head = manifest["audit_heads"][str(shop.tenant.id)]
    assert f"tenant {shop.tenant.id}: audit chain ok ({head['seq']} events)" in out
    assert f"last audit event seq {head['seq']} at {head['at']}" in out
    # (the next commands in this process: the drill's time goes to what must be a process)
    args = ["restore", str(keys_copy), "--key", str(private_key)]
    keys_restored = CliRunner().invoke(main, args, env=fresh_env)
    assert keys_restored.exit_code == 0, keys_restored.output
    assert "shredded: -" in keys_restored.stdout and "restored: " in keys_restored.stdout
    assert {p.name: p.read_bytes() for p in fresh.delivery_keys_dir.glob("*.key")} == {
        n: raw for n, raw in key_files.items() if n != "2020-01.key"
    }

    audit_run = CliRunner().invoke(main, ["audit", "verify"], env=fresh_env)
    assert audit_run.exit_code == 0 and f"ok ({head['seq']} events)" in audit_run.stdout
    counts = _facts(fresh_url)["tables"]
    assert counts == manifest["tables"]
    restored_ids = set(_appointment_ids(fresh_url))
    assert before <= restored_ids and not after & restored_ids
    assert counts["appointment"] == len(restored_ids)

    # Every sealed profile opens with the owner's vault to the same values; the
    # reminder contacts open with the restored delivery keys.
    server = start_server(fresh)
    try:
        sdk = hushbook.Client.login(server.url, shop.tenant.slug, owner_email, PASSWORD)
        vault = hushbook.Vault(sdk, log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N)
        vault.unlock(passphrase)
        rows = vault.all_clients()
        assert {r["id"]: vault.open_client(r) for r in rows if r["id"] in opened} == opened
    finally:
        stop_server(server)
    from hushbook_service import create_app

    with create_app(fresh).app_context(), database.connection_context():
        reopened = {a.id: delivery.open_contact(a) for a in Appointment.select()}
    assert {i: c for i, c in reopened.items() if i in contact_of} == contact_of
    assert any(contact_of.values())

    # Bookings after the snapshot are reported, not lost silently.
    gap_run = hb(fresh_env, "backup", "missing", "--old-database", old_url, "--json")
    assert gap_run.returncode == 0, gap_run.stderr
    gaps = json.loads(gap_run.stdout)
    missing_ids = {a["id"] for a in gaps[str(shop.tenant.id)]["appointments"]}
    assert missing_ids == bookings.ids() - restored_ids and after <= missing_ids
    assert gaps[str(shop.tenant.id)]["events"] == {"client.erase": 1}
    assert gaps[str(shop.tenant.id)]["erased_clients"] == [erased_id]
    text = CliRunner().invoke(main, ["backup", "missing", "--old-database", old_url], env=fresh_env)
    assert f"missing appointment {min(after)}:" in text.stdout
    assert f"client {erased_id} was erased after the snapshot: erase it again" in text.stdout

    # The copy verifies on its own (scratch database).
    checked = hb(fresh_env, "backup", "verify", str(db_copy), "--key", str(private_key))
    assert checked.returncode == 0 and "verified" in checked.stdout, checked.stdout


def _facts(url: str) -> dict:
    with backup.queries(url) as (query, tables):
        return backup.facts(query, tables)


def _appointment_ids(url: str) -> list[int]:
    with backup.queries(url) as (query, _tables):
        return [r[0] for r in query("SELECT id FROM appointment")]


def test_restore_refuses_bad_files_and_newer_schemas(
    app, client, settings, make_tenant, backup_keys, tmp_path
):
    private_key, public_key = backup_keys
    folders = [tmp_path / name for name in ("a", "b", "future-a", "future-b")]
    for folder in folders:
        folder.mkdir()
    make_shop(client, make_tenant)
    public = backup.read_public_key(public_key)
    good = backup.create(settings, folders[:2], public).made[0].files[1]
    with app.app_context(), database.connection_context():
        SchemaMigration.create(version=9999, name="m9999_from_the_future")
    future = backup.create(settings, folders[2:], public).made[0].files[1]
    database.close()

    # The target: an empty database of a fresh instance.
    if on_postgres():
        empty_database(TEST_DB_URL)
        target = TEST_DB_URL
    else:
        target = f"sqlite:///{tmp_path / 'fresh' / 'hushbook.db'}"
    fresh = {"HUSHBOOK_INSTANCE": str(tmp_path / "fresh"), "DATABASE_URL": target}

    def cli(*args: str) -> str:
        """The command in this process (the drill runs it as a process): exit 1
        and one line naming the refusal, the target untouched."""
        run = CliRunner().invoke(main, list(args), env=fresh)
        assert run.exit_code == 1, (run.output, run.exception)
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
        assert backup.rows_in(target) == 0
        return lines[0]

    def refused(file: Path, key: Path = private_key) -> str:
        return cli("restore", str(file), "--key", str(key))

    raw = good.read_bytes()
    tampered = tmp_path / "tampered.hbk"
    tampered.write_bytes(raw[:5000] + bytes([raw[5000] ^ 1]) + raw[5001:])
    assert "damaged or changed" in refused(tampered)
    assert "damaged or changed" in cli("backup", "check", str(tampered))
    truncated = tmp_path / "truncated.hbk"
    truncated.write_bytes(raw[: len(raw) // 2])
    assert "truncated" in refused(truncated)
    edited = tmp_path / "edited.hbk"  # the manifest says more rows than there are
    edited.write_bytes(raw.replace(b'"appointment": 0', b'"appointment": 9'))
    assert edited.read_bytes() != raw
    assert "manifest was changed" in refused(edited)
    backup.new_key_files(tmp_path / "other.key", tmp_path / "other.pub")
    assert "another backup key" in refused(good, tmp_path / "other.key")
    assert "newer schema (m9999_from_the_future)" in refused(future)
    assert "not a Hushbook backup" in refused(public_key)

    # A backup that turns out bad only at its very end (after the whole payload
    # went to pg_restore / into the temporary file) leaves the target as it was.
    target_settings = load_settings(
        instance=tmp_path / "fresh", database_url=target, huey_url=settings.huey_url
    )
    key = backup.read_private_key(private_key)
    assert backup.restore(target_settings, good, key, force=False).ok
    rows = backup.rows_in(target)
    forged = backup.read(good)
    forged.manifest["payload"]["sha256"] = "0" * 64
    with pytest.raises(backup.BackupError, match="checksum does not match"):
        backup.load(forged, backup.data_key(backup.read(good), key), target)
    assert backup.rows_in(target) == rows
    again = CliRunner().invoke(main, ["restore", str(good), "--key", str(private_key)], env=fresh)
    assert again.exit_code == 1 and backup.rows_in(target) == rows
    assert again.stderr == (
        f"Error: the database is not empty ({rows} rows): restore overwrites it only with --force\n"
    )
    # Restored under another index key, the audit chains cannot verify: said so, exit 1.
    other = {**fresh, "HUSHBOOK_INDEX_KEY": "b3RoZXItaW5kZXgta2V5LW9mLTMyLWJ5dGVzLWxvbmchIQ"}
    args = ["restore", str(good), "--key", str(private_key), "--force"]
    wrong = CliRunner().invoke(main, args, env=other)
    assert wrong.exit_code == 1 and "audit chain BROKEN at seq 1" in wrong.stdout
    assert "is HUSHBOOK_INDEX_KEY the old one?" in wrong.stdout


def test_two_destinations_and_retention(tmp_path, settings, backup_keys):
    _private, public_key = backup_keys
    with pytest.raises(backup.BackupError, match="two destinations"):
        backup.create(settings, [tmp_path, tmp_path], backup.read_public_key(public_key))
    with pytest.raises(backup.BackupError, match="not a folder"):
        backup.create(
            settings, [tmp_path, tmp_path / "unmounted"], backup.read_public_key(public_key)
        )

    def at(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)

    stamps = [
        at(t)
        for t in (
            "2030-04-30 02:00",  # last of April: kept as April's monthly
            "2030-05-29 02:00",
            "2030-05-30 02:00",
            "2030-05-31 02:00",  # last of May
            "2030-06-01 02:00",
            "2030-06-02 02:00",
            "2030-06-02 14:00",  # newest of its day
            "2030-06-03 02:00",
        )
    ]
    kept = backup.retained(stamps, keep_daily=3, keep_monthly=3)
    assert sorted(kept) == [
        at("2030-04-30 02:00"),
        at("2030-05-31 02:00"),
        at("2030-06-01 02:00"),
        at("2030-06-02 14:00"),
        at("2030-06-03 02:00"),
    ]
    folder = tmp_path / "copies"
    folder.mkdir()
    for stamp in stamps:
        (folder / f"hushbook-db-{stamp.strftime(backup.STAMP)}.hbk").touch()
    for days in (20, 10):
        old = at("2030-06-03 02:00") - timedelta(days=days)
        (folder / f"hushbook-delivery-keys-{old.strftime(backup.STAMP)}.hbk").touch()
    (folder / "notes.txt").touch()
    pruned = backup.prune(folder, 3, 3, at("2030-06-03 03:00"), keep=set())
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["notes.txt", "hushbook-delivery-keys-20300524T020000Z.hbk"]
        + [f"hushbook-db-{s.strftime(backup.STAMP)}.hbk" for s in kept]
    )
    assert len(pruned) == len(stamps) - len(kept) + 1
    # A backup just made counts for its day: today's older one goes; it never goes itself.
    (folder / "hushbook-db-20300603T030000Z.hbk").touch()
    assert backup.prune(
        folder, 3, 3, at("2030-06-03 03:00"), {"hushbook-db-20300603T030000Z.hbk"}
    ) == [folder / "hushbook-db-20300603T020000Z.hbk"]
