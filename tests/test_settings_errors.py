"""Every setting that is wrong gives one line naming it, a non-zero exit and no
traceback (the operator reads it in a terminal or a journal); an unreachable
database is named by host and port, never with its password. And the demo:
its port is checked before anything is seeded or printed, SIGTERM and SIGHUP
stop its worker with it, ``make demo PORT=…`` takes the port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from support.processes import free_port, service_env

pytestmark = pytest.mark.system  # every test runs `hushbook …` as a real process

REPO = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Pa55word"


@pytest.fixture
def env(settings):
    return service_env(settings)


def run(env, *args, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "hushbook_service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_error(result, *names: str) -> str:
    """The error is a single line naming every one of ``names``."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "value",
    [
        f"mysql://user:{SECRET}@db.example/hushbook",
        "postgresql://user@:5432/",  # no host, no database
        "sqlite:///",
        "not a url",
        f"postgresql://user:{SECRET}@db.example:port/hushbook",
    ],
)
def test_a_malformed_database_url(env, value):
    line = one_line_error(run({**env, "DATABASE_URL": value}, "migrate"), "DATABASE_URL")
    assert SECRET not in line  # the value may hold a password: never repeated


def test_an_unreachable_database_names_host_and_port_never_the_password(env):
    port = free_port()  # nothing listens there
    url = f"postgresql://hushbook:{SECRET}@127.0.0.1:{port}/hushbook"
    for command in (("migrate",), ("serve", "--no-migrate", "--port", str(free_port()))):
        line = one_line_error(run({**env, "DATABASE_URL": url}, *command), "DATABASE_URL")
        assert f"127.0.0.1:{port}" in line and SECRET not in line, line


def test_an_unopenable_sqlite_file(env, tmp_path):
    (tmp_path / "file").write_text("")
    url = f"sqlite:///{tmp_path / 'file' / 'hushbook.db'}"  # inside a file: cannot exist
    one_line_error(run({**env, "DATABASE_URL": url}, "migrate"), "DATABASE_URL")


@pytest.mark.parametrize("value", ["amqp://queue.example", "redis://", "sqlite:///"])
def test_a_malformed_huey_url(env, value):
    one_line_error(run({**env, "HUEY_URL": value}, "migrate"), "HUEY_URL")
    one_line_error(run({**env, "HUEY_URL": value}, "worker", timeout=30), "HUEY_URL")


def test_an_unusable_instance_folder(env, tmp_path):
    (tmp_path / "file").write_text("")
    for value in (str(tmp_path / "file"), str(tmp_path / "file" / "below")):
        one_line_error(run({**env, "HUSHBOOK_INSTANCE": value}, "migrate"), "HUSHBOOK_INSTANCE")


@pytest.mark.parametrize("value", ["yes", "true", "2", "on"])
def test_debug_takes_0_or_1_only(env, value):
    one_line_error(run({**env, "HUSHBOOK_DEBUG": value}, "migrate"), "HUSHBOOK_DEBUG")


@pytest.mark.parametrize(
    "value",
    [
        "booking.example.com",  # no scheme
        "ftp://booking.example.com",
        "https://",
        "https://user:pw@booking.example.com",
        "https://booking.example.com/?x=1",
        "https://booking.example.com:port",
        "https://booking example.com",
    ],
)
def test_a_malformed_public_url(env, value):
    one_line_error(run({**env, "HUSHBOOK_PUBLIC_URL": value}, "migrate"), "HUSHBOOK_PUBLIC_URL")


@pytest.mark.parametrize("name", ["HUSHBOOK_SWEEP_SECONDS", "HUSHBOOK_MESSAGE_LEASE_SECONDS"])
def test_worker_intervals_are_numbers(env, name):
    one_line_error(run({**env, name: "soon"}, "migrate"), name)


def test_good_settings_still_start(env):
    good = {
        **env,
        "HUSHBOOK_DEBUG": "0",
        "HUSHBOOK_PUBLIC_URL": "https://booking.example.com:8443/salon/",
        "HUEY_URL": "redis://127.0.0.1:6379/13",
    }
    result = run(good, "migrate")
    assert result.returncode == 0, result.stderr


# --- the demo ----------------------------------------------------------------------


def demo_env(env, tmp_path):
    return {
        **env,
        "HUSHBOOK_INSTANCE": str(tmp_path / "demo-instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "HUEY_URL": f"sqlite:///{tmp_path / 'demo-huey.db'}",
    }


def test_the_demo_checks_its_port_before_seeding_or_printing(env, tmp_path):
    env = demo_env(env, tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(env, "demo", "--port", str(port))
    line = one_line_error(result, str(port))
    assert "--port" in line
    assert "Hushbook demo salon" not in result.stdout and not result.stdout.strip()
    assert not (tmp_path / "demo.db").exists()  # nothing migrated, nothing seeded


def children_of(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except FileNotFoundError:  # a thread that ended while we looked
            continue
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stopped_demo_stops_its_worker(env, tmp_path, signum):
    port = free_port()
    out = tmp_path / "demo.out"
    with open(out, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hushbook_service.cli", "demo", "--port", str(port)],
            env=demo_env(env, tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60  # up: the server answers, the worker consumes
        while "consumer started" not in out.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok
        workers = children_of(proc.pid)
        assert workers, "the demo started no worker"
        proc.send_signal(signum)
        assert proc.wait(timeout=30) is not None
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "the worker outlived the demo"
        assert "Traceback" not in out.read_text()
        assert "Consumer exiting" in out.read_text()  # stopped, not killed
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in workers:  # only what this test started
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_make_demo_passes_host_and_port():
    dry = subprocess.run(
        ["make", "-n", "demo", "PORT=8123", "HOST=0.0.0.0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert dry.returncode == 0, dry.stderr
    assert "hushbook demo --host 0.0.0.0 --port 8123" in dry.stdout
