"""One line that says where a benchmark ran (figures mean little without it),
and the environment of a throwaway service instance for a benchmark."""

from __future__ import annotations

import base64
import os
import platform
import sys
from pathlib import Path


def describe(what: str) -> str:
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{what} - Python {platform.python_version()} on {platform.machine()}, "
        f"{sys.platform}, {os.cpu_count()} CPUs{load}"
    )


def service_env(work: Path, db_url: str, **extra: str) -> dict[str, str]:
    """The process environment plus a throwaway instance in ``work`` on ``db_url``:
    fresh keys, cheap scrypt (vaults are set up by the bench), text logs."""
    return {
        **os.environ,
        "HUSHBOOK_INSTANCE": str(work / "instance"),
        "DATABASE_URL": db_url,
        "HUEY_URL": f"sqlite:///{work / 'huey.db'}",
        "HUSHBOOK_TOKEN_KEYS": "bench:" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "HUSHBOOK_INDEX_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "HUSHBOOK_SCRYPT_LOG_N": "10",
        "HUSHBOOK_LOG_FORMAT": "text",
        **extra,
    }
