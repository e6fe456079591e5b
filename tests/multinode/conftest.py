"""The production shape, for real: two web nodes behind HAProxy, two workers.

Runs only when ``HUSHBOOK_MULTINODE=1`` (``.ci/run`` step 6): it needs the
machine's PostgreSQL (database ``hushbook_multinode``, made anew per run), Redis
(database 12, flushed per run) and Debian's ``haproxy``. Under CI a missing
component fails the run.

Everything is started from the files in ``deploy/`` as an operator installs
them: HAProxy with ``deploy/haproxy/hushbook.cfg`` unchanged (its addresses from
the environment, as ``deploy/haproxy/default`` gives them), each node and worker
with the ``ExecStart=`` of ``deploy/systemd/*.service`` and the environment of
``deploy/hushbook.env.example``. Only hosts, ports, paths and the test keys
differ (:func:`node_env`). The HAProxy ``global`` section is the test's own
(no chroot, no daemon, a stats socket in the test's folder), as Debian's
``/etc/haproxy/haproxy.cfg`` is in production.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller

from support.components import require
from support.config import KEY_ENV
from support.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
HAPROXY_CFG = DEPLOY / "haproxy" / "hushbook.cfg"
HAPROXY_DEFAULT = DEPLOY / "haproxy" / "default"
WEB_UNIT = DEPLOY / "systemd" / "hushbook-web.service"
WORKER_UNIT = DEPLOY / "systemd" / "hushbook-worker.service"
ENV_EXAMPLE = DEPLOY / "hushbook.env.example"
INSTALLED = "/opt/hushbook/venv/bin/hushbook"  # the units' command, run from the checkout here

PG_SERVER = os.environ.get("HUSHBOOK_MULTINODE_PG", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "hushbook_multinode"
REDIS_URL = os.environ.get("HUSHBOOK_MULTINODE_REDIS", "redis://127.0.0.1:6379/12")
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("HUSHBOOK_MULTINODE") == "1":
        return
    skip = pytest.mark.skip(reason="multi-node suite: HUSHBOOK_MULTINODE=1 (.ci/run step 6)")
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(skip)


# --- the files in deploy/ -------------------------------------------------------------------


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (quotes removed)."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip().strip('"')
    return out


@dataclass
class Unit:
    exec_start: list[str]
    environment: dict[str, str]
    kill_signal: signal.Signals
    stop_timeout: float


def unit(path: Path) -> Unit:
    """The parts of a systemd unit that decide how its process runs and stops."""
    text = path.read_text().replace("\\\n", " ")
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            values.setdefault(key.strip(), []).append(value.strip())
    environment = {}
    for assignment in values.get("Environment", []):
        for word in shlex.split(assignment):
            key, _, value = word.partition("=")
            environment[key] = value
    return Unit(
        exec_start=values["ExecStart"][0].split(),
        environment=environment,
        kill_signal=signal.Signals[values.get("KillSignal", ["SIGTERM"])[0]],
        stop_timeout=float(values.get("TimeoutStopSec", ["90"])[0]),
    )


def command_of(u: Unit, env: dict[str, str]) -> list[str]:
    """``ExecStart=`` with ``${VAR}`` expanded as systemd does, the installed
    ``hushbook`` replaced by this checkout's."""
    words = [re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], w) for w in u.exec_start]
    assert words[0] == INSTALLED, words
    return [sys.executable, "-m", "hushbook_service.cli", *words[1:]]


# --- processes ------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    cmd: list[str]
    env: dict[str, str]
    log: Path
    kill_signal: signal.Signals = signal.SIGTERM
    stop_timeout: float = 30
    proc: subprocess.Popen | None = None

    def start(self) -> Proc:
        with open(self.log, "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                self.cmd, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> float:
        """Stop as systemd does (the unit's KillSignal, then SIGKILL after its
        timeout); the seconds it took."""
        t0 = time.monotonic()
        self.signal()
        return self.wait(t0)

    def signal(self) -> None:
        if self.alive():
            assert self.proc is not None
            os.killpg(self.proc.pid, self.kill_signal)

    def wait(self, t0: float) -> float:
        if self.proc is None:
            return 0.0
        try:
            self.proc.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            raise AssertionError(f"{self.name} ignored {self.kill_signal.name}") from None
        return time.monotonic() - t0

    def tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


# --- the SMTP sink --------------------------------------------------------------------------


class Sink:
    """An SMTP server that counts every message it accepts, per recipient."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.per_recipient: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.per_recipient.update(envelope.rcpt_tos)
        return "250 Message accepted"

    def count(self, suffix: str) -> Counter[str]:
        with self.lock:
            return Counter({k: v for k, v in self.per_recipient.items() if k.endswith(suffix)})


# --- the cluster ----------------------------------------------------------------------------


@dataclass
class Cluster:
    root: Path
    lb_url: str
    lb_http_url: str
    cert: Path
    stats_socket: Path
    base_env: dict[str, str]
    database_url: str
    nodes: dict[str, Proc] = field(default_factory=dict)
    node_urls: dict[str, str] = field(default_factory=dict)
    workers: list[Proc] = field(default_factory=list)
    sink: Sink | None = None
    haproxy: Proc | None = None

    def lb_command(self, command: str) -> str:
        """A command to HAProxy's runtime API (what ``socat`` does with the admin socket)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.stats_socket))
            s.sendall(command.encode() + b"\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return data.decode()

    def server_states(self) -> dict[str, str]:
        """HAProxy's view of the nodes (``show stat``): name -> UP, DOWN, …"""
        rows = self.stats()
        return {r["svname"]: r["status"] for r in rows if r["pxname"] == "hushbook_nodes"}

    def stats(self) -> list[dict[str, str]]:
        text = self.lb_command("show stat").lstrip("# ")
        return list(csv.DictReader(io.StringIO(text)))

    def wait_until(self, states: dict[str, str], timeout: float = 30) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            got = self.server_states()
            if all(got.get(k, "").startswith(v) for k, v in states.items()):
                return time.monotonic() - t0
            time.sleep(0.1)
        raise AssertionError(f"HAProxy never saw {states}: {self.server_states()}")

    def start_node(self, name: str) -> float:
        """Start a node; the seconds until it answers ``/readyz`` itself."""
        self.nodes[name].start()
        return self.ready(name)

    def ready(self, name: str) -> float:
        node = self.nodes[name]
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:
            if not node.alive():
                raise AssertionError(f"{name} exited:\n{node.tail()}")
            try:
                if requests.get(self.node_urls[name] + "/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - t0
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{name} never became ready:\n{node.tail()}")


def _pg(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG_SERVER}/postgres".replace("postgresql://", "postgres://", 1))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def _self_signed(folder: Path) -> Path:
    """A certificate for 127.0.0.1 and its key in one PEM file, as HAProxy reads them."""
    key, crt = folder / "lb.key", folder / "lb.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    pem = folder / "lb.pem"
    pem.write_bytes(crt.read_bytes() + key.read_bytes())
    return pem


def node_env(base: dict[str, str], instance: Path, **extra: str) -> dict[str, str]:
    env = {**base, "HUSHBOOK_INSTANCE": str(instance), **extra}
    instance.mkdir(parents=True, exist_ok=True)
    return env


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    require("haproxy (Debian package haproxy)", os.access(HAPROXY, os.X_OK), HAPROXY)
    require("openssl", shutil.which("openssl") is not None, "apt install openssl")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError as exc:
        require(f"Redis at {REDIS_URL}", False, type(exc).__name__)
    try:
        _pg(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        _pg(f"CREATE DATABASE {DB_NAME}")
    except Exception as exc:  # noqa: BLE001 - psycopg2's errors: the component is missing
        require(f"PostgreSQL at {PG_SERVER}", False, type(exc).__name__)

    root = tmp_path_factory.mktemp("multinode")
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    lb_port, lb_http_port = free_port(), free_port()
    database_url = f"{PG_SERVER}/{DB_NAME}"
    base = {
        **os.environ,
        **env_file(ENV_EXAMPLE),
        # hosts, ports, paths and the tests' keys; everything else as the example has it
        "DATABASE_URL": database_url,
        "HUEY_URL": REDIS_URL,
        **KEY_ENV,
        "HUSHBOOK_DELIVERY_KEYS_DIR": str(root / "delivery-keys"),  # the shared folder
        "HUSHBOOK_PUBLIC_URL": f"https://127.0.0.1:{lb_port}",
        "HUSHBOOK_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}?security=none",
        "HUSHBOOK_MAIL_FROM": "booking@multinode.test",
        "HUSHBOOK_BIND_HOST": "127.0.0.1",
        "HUSHBOOK_WEB_WORKERS": "2",
    }
    base.pop("PGPASSFILE")  # the shared server trusts local connections
    for name in ("HUSHBOOK_CLOCK_FILE", "HUSHBOOK_MESSAGE_LEASE_SECONDS", "HUSHBOOK_DEBUG"):
        base.pop(name, None)
    cert = _self_signed(root)
    c = Cluster(
        root=root,
        lb_url=f"https://127.0.0.1:{lb_port}",
        lb_http_url=f"http://127.0.0.1:{lb_http_port}",
        cert=root / "lb.crt",
        stats_socket=root / "haproxy.sock",
        base_env=base,
        database_url=database_url,
        sink=sink,
    )
    try:
        # the release step, once: `hb migrate`
        subprocess.run(
            [sys.executable, "-m", "hushbook_service.cli", "migrate"],
            env=node_env(base, root / "release"),
            check=True,
            capture_output=True,
            timeout=120,
        )
        web = unit(WEB_UNIT)
        for name in ("node1", "node2"):
            port = str(free_port())
            env = node_env(base, root / name, HUSHBOOK_BIND_PORT=port, **web.environment)
            c.nodes[name] = Proc(
                name, command_of(web, env), env, root / f"{name}.log",
                web.kill_signal, web.stop_timeout,
            )  # fmt: skip
            c.node_urls[name] = f"http://127.0.0.1:{port}"
            c.nodes[name].start()
        for name in c.nodes:
            c.ready(name)
        work = unit(WORKER_UNIT)
        for i in (1, 2):
            env = node_env(base, root / f"worker{i}", **work.environment)
            c.workers.append(
                Proc(
                    # the periodic jobs on one host only (docs/deployment.md)
                    f"worker{i}", [*command_of(work, env), *(["--no-periodic"] if i == 2 else [])],
                    env, root / f"worker{i}.log",
                    work.kill_signal, work.stop_timeout,
                ).start()
            )  # fmt: skip
        # HAProxy: the test's global section, then deploy/haproxy/hushbook.cfg unchanged
        global_cfg = root / "global.cfg"
        global_cfg.write_text(
            "global\n"
            "    log stdout format raw local0\n"
            f"    stats socket {c.stats_socket} mode 600 level admin\n"
            "    maxconn 4096\n"
        )
        lb_env = {
            **os.environ,
            **env_file(HAPROXY_DEFAULT),
            "HUSHBOOK_LB_HTTPS": f"127.0.0.1:{lb_port}",
            "HUSHBOOK_LB_HTTP": f"127.0.0.1:{lb_http_port}",
            "HUSHBOOK_LB_CERT": str(cert),
            "HUSHBOOK_NODE1": c.node_urls["node1"].removeprefix("http://"),
            "HUSHBOOK_NODE2": c.node_urls["node2"].removeprefix("http://"),
        }
        check = subprocess.run(
            [HAPROXY, "-c", "-f", str(global_cfg), "-f", str(HAPROXY_CFG)],
            env=lb_env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
        c.haproxy = Proc(
            "haproxy",
            [HAPROXY, "-db", "-f", str(global_cfg), "-f", str(HAPROXY_CFG)],
            lb_env,
            root / "haproxy.log",
        ).start()
        deadline = time.monotonic() + 30
        while not c.stats_socket.exists():
            assert time.monotonic() < deadline and c.haproxy.alive(), c.haproxy.tail()
            time.sleep(0.05)
        c.wait_until({"node1": "UP", "node2": "UP"})
        yield c
    finally:
        every = [*c.workers, *c.nodes.values(), *([c.haproxy] if c.haproxy else [])]
        t0 = time.monotonic()
        for p in every:
            p.signal()
        for p in every:
            try:
                p.wait(t0)
            except AssertionError:
                pass
        smtp.stop()
        if os.environ.get("HUSHBOOK_MULTINODE_KEEP") != "1":
            try:
                _pg(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            except Exception:  # noqa: BLE001, S110 - the next run drops it anyway
                pass
