"""Real processes: the environment every subprocess of the tests gets, and
``hushbook serve`` on a test's database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import requests

from .config import KEY_ENV


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(settings=None, **extra: str) -> dict[str, str]:
    """The environment of a process the tests start (``hushbook serve``, ``worker``,
    the CLI, ``python -c``, php, …): this process's own; with ``settings``, what the
    service needs to run on that test's instance, database and job store with the
    tests' keys at test cost; then ``extra`` (e.g. ``HUEY_URL=…`` to override)."""
    env = dict(os.environ)
    if settings is not None:
        env.update(
            {
                "HUSHBOOK_INSTANCE": str(settings.instance),
                "DATABASE_URL": settings.database_url,
                "HUEY_URL": settings.huey_url,
                **KEY_ENV,
            }
        )
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    url: str
    proc: subprocess.Popen
    env: dict[str, str]


def start_server(settings, workers: int = 1) -> ServerProcess:
    """``hushbook serve`` as a real process on the test database."""
    port = free_port()
    env = service_env(settings)
    cmd = [sys.executable, "-m", "hushbook_service.cli", "serve", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    with open(settings.instance / "server.log", "wb") as log:  # the process keeps its own copy
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {server_log(settings)[-2000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return ServerProcess(url, proc, env)
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start in 30 s")


def server_log(settings) -> str:
    return (settings.instance / "server.log").read_text(errors="replace")


def stop_server(server: ServerProcess) -> None:
    try:
        os.killpg(server.proc.pid, signal.SIGTERM)
        server.proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.proc.pid, signal.SIGKILL)
