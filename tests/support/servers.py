"""Private database and queue servers that a test may stop and start at will.

The machine's shared PostgreSQL and Redis are never stopped by a test: a test
that needs an outage starts its own instance here, on a free port, in a
temporary folder, and removes it afterwards::

    with PrivatePostgres(tmp_path) as pg, PrivateRedis(tmp_path) as redis:
        env = {"DATABASE_URL": pg.url, "HUEY_URL": redis.url}
        ...
        pg.stop()   # the outage: every connection is cut
        pg.start()  # the same data, the same port

``start()`` returns only when the server answers; ``stop()`` only when it is gone.
Both may be called again and again. Missing binaries fail under CI and skip
elsewhere (``components.require``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .components import require
from .processes import free_port

PG_BIN = Path(os.environ.get("HUSHBOOK_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = os.environ.get("HUSHBOOK_TEST_REDIS_SERVER", "redis-server")


class PrivatePostgres:
    """A PostgreSQL cluster of its own: ``url`` names its database ``hushbook``
    (user ``postgres``, trust, 127.0.0.1 only). Durability is off (a test
    server): fast, and a ``stop()`` still cuts every connection."""

    def __init__(self, tmp: Path | str, port: int | None = None) -> None:
        require("PostgreSQL server binaries", (PG_BIN / "pg_ctl").exists(), str(PG_BIN))
        self.port = port or free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/hushbook"
        # PostgreSQL refuses to run as root: then it runs as the postgres user,
        # in a folder of its own (a test's tmp_path is not open to other users).
        self._as_root = os.geteuid() == 0
        self._home = Path(
            tempfile.mkdtemp(prefix="hushbook-pg-", dir=None if self._as_root else tmp)
        )
        self.data = self._home / "data"
        self.log = self._home / "server.log"
        if self._as_root:
            shutil.chown(self._home, "postgres", "postgres")
        self._initialised = False

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [str(PG_BIN / args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)

    def start(self) -> PrivatePostgres:
        if not self._initialised:
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
            )
        options = (
            f"-p {self.port} -k {self._home} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
        )
        if not self._initialised:
            self._run(
                "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "hushbook"
            )
            self._initialised = True
        return self

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session and stops (an operator's restart);
        ``immediate`` is a crash (recovery at the next start)."""
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.data))

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def close(self) -> None:
        """Stop (if running) and remove everything."""
        try:
            if self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()


class PrivateRedis:
    """A ``redis-server`` of its own on 127.0.0.1; ``url`` is its database 0.
    By default nothing is kept across ``stop()`` (a crash loses the queue); with
    ``persist=True`` the append-only file keeps it (a clean restart)."""

    def __init__(self, tmp: Path | str, port: int | None = None, persist: bool = False) -> None:
        binary = shutil.which(REDIS_SERVER)
        require("redis-server", binary is not None, "apt install redis-server")
        assert binary is not None
        self.binary = binary
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.persist = persist
        self.dir = Path(tempfile.mkdtemp(prefix="hushbook-redis-", dir=tmp))
        self.log = self.dir / "server.log"
        self._proc: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        cmd = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--dir", str(self.dir),
            "--logfile", str(self.log),
        ]  # fmt: skip
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited: {self.log.read_text(errors='replace')[-1000:]}"
                )
            if self._ping():
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer in 30 s")

    def _ping(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()
