"""Benchmark of ``hushbook backup`` / ``restore`` / ``backup verify`` (issue 17).

Run:  .venv/bin/python bench/backup.py [--appointments 10000]
          [--pg-url postgresql://postgres@127.0.0.1:5432/hushbook_h1_bench]
          [--no-postgres]

Workload, per database: one salon with 4 team members, 1,000 clients with
profiles really sealed (name, e-mail, phone), N appointments (default 10,000)
over a year, one audit event per appointment and client (a real hash chain).

Rows (wall-clock seconds, median of 3 runs, this process, no interpreter start):
  backup         backup.create: snapshot, encryption, two copies written,
                 fsynced and read back
  plain copy     the same run's baseline: SQLite's online backup into one file /
                 ``pg_dump -Fc -f`` — unencrypted, one copy, nothing read back
  load           backup.load: authenticated decryption into the target (SQLite:
                 a checked copy, then the backup API; PostgreSQL: pg_restore | psql
                 in one transaction)
  plain load     baseline: the plain copy back with the backup API /
                 ``pg_restore --single-transaction`` into an emptied database
  restore        backup.restore: checks, load, then the manifest comparison,
                 migrations and every audit chain verified
  verify         backup.verify: restore into a scratch database, compared, dropped
  x plain        hushbook's median / the baseline's median
"""

from __future__ import annotations

import base64
import os

# One key ring and index key for the source and the restored instance (the audit
# chain verifies only under the same index key); fresh, random, for this run only.
for _name in ("HUSHBOOK_TOKEN_KEYS", "HUSHBOOK_INDEX_KEY"):
    _key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    os.environ[_name] = f"bench:{_key}" if _name == "HUSHBOOK_TOKEN_KEYS" else _key

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from machine import describe  # noqa: E402

from hushbook import sealing  # noqa: E402
from hushbook_service import audit, backup, create_app  # noqa: E402
from hushbook_service.accounts.tenants import create_tenant  # noqa: E402
from hushbook_service.config import load_settings  # noqa: E402
from hushbook_service.db import database, write_transaction  # noqa: E402
from hushbook_service.models import Appointment, Client, Service, Staff  # noqa: E402

RUNS = 3


def seed(settings, appointments: int) -> None:
    rng = random.Random(1)
    app = create_app(settings)
    from hushbook_service.migrations import migrate

    with app.app_context(), database.connection_context():
        migrate(database.obj)
        tenant, owner, _ = create_tenant(
            "bench", "Salon Bench", "owner@bench.test", scrypt_log_n=10
        )
        pair = sealing.generate_keypair()
        tenant.public_key = sealing.b64e(sealing.export_public_key(pair.public_key))
        tenant.save()
        team = [owner] + [
            Staff.create(
                tenant=tenant.id, email=f"s{i}@bench.test", display_name=f"S{i}", role="staff"
            )
            for i in range(3)
        ]
        service = Service.create(tenant=tenant.id, name="Cut", duration_min=45, price_cents=4500)
        with write_transaction():
            clients = []
            for i in range(1000):
                key = sealing.new_client_key()
                profile = {
                    "name": f"Kundin {i} Müller",
                    "email": f"kundin{i}@example.org",
                    "phone": f"+49 170 {rng.randrange(10**7):07d}",
                }
                sealed = sealing.seal_profile(pair.public_key, tenant.id, key, profile)
                row = Client.create(
                    tenant=tenant.id,
                    client_key=key,
                    profile=json.dumps(sealed, sort_keys=True).encode(),
                )
                audit.record(tenant.id, "client.create", "client", row.id, actor=("system", None))
                clients.append(row.id)
            start = datetime(2030, 1, 1, 8, tzinfo=UTC)
            rows = []
            for i in range(appointments):
                at = start + timedelta(days=i // 40, minutes=45 * (i % 10))
                rows.append(
                    {
                        "tenant": tenant.id,
                        "staff": team[(i // 10) % 4].id,
                        "service": service.id,
                        "client": rng.choice(clients),
                        "start_at": at,
                        "end_at": at + timedelta(minutes=45),
                        "block_start": at,
                        "block_end": at + timedelta(minutes=45),
                        "price_cents": 4500,
                    }
                )
            for batch in range(0, len(rows), 500):
                Appointment.insert_many(rows[batch : batch + 500]).execute()
            for row in Appointment.select(Appointment.id).iterator():
                audit.record(
                    tenant.id, "appointment.create", "appointment", row.id, actor=("system", None)
                )
    database.close()


def timed(fn: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(RUNS):
        before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def pg_admin(url: str, sql: str) -> None:
    subprocess.run(
        ["psql", "-X", "-q", "-d", urlsplit(url)._replace(path="/postgres").geturl(), "-c", sql],
        check=True,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    )


def bench(kind: str, url: str, target: str, work: Path, appointments: int) -> None:
    instance = work / kind
    settings = load_settings(
        instance=instance, database_url=url, huey_url=f"sqlite:///{work / 'huey.db'}"
    )
    t0 = time.perf_counter()
    seed(settings, appointments)
    print(f"\n{kind}: seeded {appointments} appointments in {time.perf_counter() - t0:.1f} s")
    backup.new_key_files(work / f"{kind}.key", work / f"{kind}.pub")
    public = backup.read_public_key(work / f"{kind}.pub")
    private = backup.read_private_key(work / f"{kind}.key")
    runs = iter(range(100))

    def make() -> None:
        n = next(runs)
        folders = [work / f"{kind}-copies-{n}-{side}" for side in "ab"]
        for folder in folders:
            folder.mkdir()
        backup.create(settings, folders, public)

    plain = work / f"{kind}-plain"

    def plain_copy() -> None:
        if kind == "sqlite":
            plain.unlink(missing_ok=True)
            src, dst = sqlite3.connect(backup.sqlite_file(url)), sqlite3.connect(plain)
            src.backup(dst)
            src.close()
            dst.close()
        else:
            subprocess.run(["pg_dump", "-Fc", "-f", str(plain), "-d", url], check=True)

    made = timed(make)
    base = timed(plain_copy)
    (file,) = (work / f"{kind}-copies-0-a").glob("*.hbk")
    size, plain_size = file.stat().st_size / 1e6, plain.stat().st_size / 1e6
    print(
        f"  backup      {made:7.3f} s   plain copy {base:7.3f} s   x plain {made / base:5.2f}"
        f"   ({size:.1f} MB encrypted, plain copy {plain_size:.1f} MB)"
    )
    target_settings = load_settings(
        instance=work / f"{kind}-target", database_url=target, huey_url=settings.huey_url
    )
    opened = backup.check(file)
    key = backup.data_key(opened, private)

    def empty_target() -> None:
        database.close()
        if kind == "sqlite":
            path = backup.sqlite_file(target)
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        else:
            pg_admin(target, f'DROP DATABASE IF EXISTS "{urlsplit(target).path[1:]}" WITH (FORCE)')
            pg_admin(target, f'CREATE DATABASE "{urlsplit(target).path[1:]}"')

    def plain_load() -> None:
        if kind == "sqlite":
            src, dst = sqlite3.connect(plain), sqlite3.connect(backup.sqlite_file(target))
            src.backup(dst)
            src.close()
            dst.close()
        else:
            subprocess.run(
                ["pg_restore", "--no-owner", "--single-transaction", "-d", target, str(plain)],
                check=True,
            )

    loaded = timed(lambda: backup.load(opened, key, target), empty_target)
    plain_loaded = timed(plain_load, empty_target)
    restored = timed(lambda: backup.restore(target_settings, file, private, False), empty_target)
    verified = timed(lambda: backup.verify(settings, file, private))
    print(
        f"  load        {loaded:7.3f} s   plain load {plain_loaded:7.3f} s   "
        f"x plain {loaded / plain_loaded:5.2f}"
    )
    print(f"  restore     {restored:7.3f} s   (load + manifest comparison + audit chains)")
    print(f"  verify      {verified:7.3f} s   (restore into a scratch database, dropped)")
    empty_target()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument(
        "--pg-url", default="postgresql://postgres@127.0.0.1:5432/hushbook_h1_bench"
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(describe(f"bench/backup.py: {args.appointments} appointments, median of {RUNS}"))
    with tempfile.TemporaryDirectory(prefix="hushbook-bench-backup-") as tmp:
        work = Path(tmp)
        bench(
            "sqlite",
            f"sqlite:///{work / 'source.db'}",
            f"sqlite:///{work / 'target.db'}",
            work,
            args.appointments,
        )
        if not args.no_postgres:
            source, target = args.pg_url, f"{args.pg_url}_restore"
            for url in (source, target):
                name = urlsplit(url).path[1:]
                pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                pg_admin(url, f'CREATE DATABASE "{name}"')
            try:
                bench("postgresql", source, target, work, args.appointments)
            finally:
                database.close()
                for url in (source, target):
                    pg_admin(
                        url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)'
                    )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
