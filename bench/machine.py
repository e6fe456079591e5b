"""One line that says where a benchmark ran (figures mean little without it)."""

from __future__ import annotations

import os
import platform
import sys


def describe(what: str) -> str:
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{what} - Python {platform.python_version()} on {platform.machine()}, "
        f"{sys.platform}, {os.cpu_count()} CPUs{load}"
    )
