"""How long a refused login takes, by the kind of account it names (issue 16).

Run:  .venv/bin/python bench/login_timing.py [--rounds 40] [--workers 1]

A refusal must not tell a former team member's address (deactivated) from a
current one's or from one that never existed. The review measured 10 ms for
deactivated accounts against 125 ms for active ones: the password hash was
skipped. This prints, over real HTTP against ``hushbook serve``:

  active       an active account, wrong password (401)
  deactivated  a deactivated account, its *right* password (401)
  unknown      an e-mail address the salon does not know (401)
  no salon     a salon slug that does not exist (401)
  baseline     an active account, right password (200: the same hash plus
               issuing a token pair), the same-run reference

each as median and 90th percentile in milliseconds, and the ratio of the
slowest refusal's median to the fastest's (the aim: within 2x; 1.0 is equal).
The classes take turns within each round, so a change in the machine's load
touches them all alike.

Set-up (not measured): a fresh SQLite instance in a temporary folder, password
hashes at the PRODUCTION scrypt cost (``Settings.scrypt_log_n``), which is
also what the server uses for the stand-in hash of unknown accounts. Every
account is used at most four times, and each request comes from its own
address behind a trusted proxy (``HUSHBOOK_TRUSTED_PROXIES=1``,
``X-Forwarded-For``), so the login throttle (5 failures per account, 20 per
address in 15 minutes) never answers instead of the check. Figures only,
nothing asserted.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from machine import describe

PASSWORD = "Correct-Horse-Battery-9"  # noqa: S105 - a throwaway instance's
WRONG = "Wrong-Horse-Battery-9"  # noqa: S105
PER_ACCOUNT = 4  # below the throttle's 5 failures per account
CLASSES = ("active", "deactivated", "unknown", "no salon", "baseline")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(root: Path, rounds: int) -> tuple[dict[str, str], int]:
    """The instance, its salon and accounts; returns the server's environment."""
    from hushbook_service import create_app
    from hushbook_service.accounts.passwords import hash_password
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.config import Settings, load_settings
    from hushbook_service.db import database
    from hushbook_service.migrations import migrate
    from hushbook_service.models import Staff

    log_n = Settings.scrypt_log_n
    urls = {
        "database_url": f"sqlite:///{root / 'hushbook.db'}",
        "huey_url": f"sqlite:///{root / 'huey.db'}",
    }
    settings = load_settings(instance=root / "instance", **urls)
    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)
    accounts = rounds // PER_ACCOUNT + 2  # the warm-up's rounds come after the measured
    with app.app_context(), database.connection_context():
        migrate(database.obj)
        tenant, _, _ = create_tenant("bench-salon", "Salon Bench", "owner@salon.bench")
        digest = hash_password(PASSWORD, log_n)  # one hash for all: set-up stays quick
        for kind in ("active", "deactivated"):
            for i in range(accounts):
                Staff.create(
                    tenant=tenant,
                    email=f"{kind}{i}@salon.bench",
                    display_name=f"{kind} {i}",
                    role="staff",
                    password_hash=digest,
                    must_change_password=False,
                    active=kind == "active",
                )
    env = {
        **os.environ,
        "HUSHBOOK_INSTANCE": str(settings.instance),
        "DATABASE_URL": urls["database_url"],
        "HUEY_URL": urls["huey_url"],
        "HUSHBOOK_SCRYPT_LOG_N": str(log_n),
        "HUSHBOOK_TRUSTED_PROXIES": "1",
    }
    return env, log_n


def start_server(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "hushbook_service.cli", "serve", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=out, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-2000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("server did not start in 60 s")


def body(kind: str, i: int) -> tuple[dict[str, str], int]:
    """The login request of class ``kind`` in round ``i`` and the status it must get."""
    n = i // PER_ACCOUNT
    if kind == "active":
        return {"tenant": "bench-salon", "email": f"active{n}@salon.bench", "password": WRONG}, 401
    if kind == "deactivated":
        email = f"deactivated{n}@salon.bench"
        return {"tenant": "bench-salon", "email": email, "password": PASSWORD}, 401
    if kind == "unknown":
        email = f"nobody{i}@salon.bench"
        return {"tenant": "bench-salon", "email": email, "password": PASSWORD}, 401
    if kind == "no salon":
        return {"tenant": "no-such-salon", "email": f"x{i}@x.test", "password": PASSWORD}, 401
    return {"tenant": "bench-salon", "email": f"active{n}@salon.bench", "password": PASSWORD}, 200


def measure(url: str, rounds: range) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in CLASSES}
    address = rounds.start * len(CLASSES)
    with requests.Session() as http:
        for i in rounds:
            order = CLASSES[i % len(CLASSES) :] + CLASSES[: i % len(CLASSES)]
            for kind in order:
                payload, status = body(kind, i)
                address += 1
                octets = (address >> 16 & 255, address >> 8 & 255, address & 255)
                forwarded = {"X-Forwarded-For": "10.{}.{}.{}".format(*octets)}
                t0 = time.perf_counter()
                res = http.post(f"{url}/v1/auth/login", json=payload, headers=forwarded, timeout=60)
                elapsed = (time.perf_counter() - t0) * 1000
                if res.status_code != status:
                    raise SystemExit(f"{kind}: {res.status_code} {res.text[:200]}")
                times[kind].append(elapsed)
    return times


def report(times: dict[str, list[float]], log_n: int, workers: int) -> None:
    print(describe("bench/login_timing.py"))
    server = f"gunicorn, {workers} workers" if workers > 1 else "threaded"
    rounds = len(times["active"])
    print(f"hushbook serve ({server}), SQLite, scrypt log_n {log_n}, {rounds} rounds")
    print()
    print(f"{'class':<12} {'median ms':>10} {'p90 ms':>8}")
    medians = {}
    for kind in CLASSES:
        values = sorted(times[kind])
        medians[kind] = statistics.median(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        print(f"{kind:<12} {medians[kind]:>10.1f} {p90:>8.1f}")
    refusals = [medians[k] for k in CLASSES if k != "baseline"]
    print()
    print(f"slowest / fastest refusal (medians): {max(refusals) / min(refusals):.2f}x (aim: <= 2x)")
    print(f"deactivated / active: {medians['deactivated'] / medians['active']:.2f}x")
    print(f"unknown / active: {medians['unknown'] / medians['active']:.2f}x")
    baseline = medians["active"] / medians["baseline"]
    print(f"active refusal / successful login (baseline): {baseline:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hushbook-bench-login-") as tmp:
        root = Path(tmp)
        env, log_n = prepare(root, args.rounds)
        proc, url = start_server(env, args.workers, root / "server.log")
        try:
            measure(url, range(args.rounds, args.rounds + 2))  # warm-up, not reported
            times = measure(url, range(args.rounds))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
    report(times, log_n, args.workers)


if __name__ == "__main__":
    main()
