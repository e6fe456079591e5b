"""The committed copies that plugins/widget/build.py and plugins/console/build.py
write: one way to tell whether they are stale and to write them.

Each build script says what it wants (file name relative to a target ->
content); this module compares that with the target folders, removes files no
longer wanted, and prints sizes.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def stale(wanted: dict[str, bytes], targets: list[Path]) -> list[Path]:
    """Every path in ``targets`` that differs from ``wanted``, is missing or is extra."""
    out = []
    for target in targets:
        present = (
            {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
            if target.is_dir()
            else set()
        )
        for name in sorted(present | set(wanted)):
            path = target / name
            if name not in wanted or not path.is_file() or path.read_bytes() != wanted[name]:
                out.append(path)
    return out


def write(wanted: dict[str, bytes], targets: list[Path]) -> None:
    for target in targets:
        if target.is_dir():
            for path in (p for p in target.rglob("*") if p.is_file()):
                if path.relative_to(target).as_posix() not in wanted:
                    path.unlink()  # a language or file removed from src
        for name, content in wanted.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for name, content in wanted.items():
        if name.endswith((".js", ".css")):
            print(f"{name:26} {len(content):7,} bytes, {len(gzip.compress(content, 9)):6,} gzipped")


Outputs = Callable[[], dict[str, bytes]]


def main(
    outputs: Outputs,
    targets: list[Path],
    script: Path,
    more: Sequence[tuple[Outputs, list[Path]]] = (),
) -> None:
    """``script [--check]``: write the copies, or exit 1 naming each stale one.
    ``more``: further (outputs, targets) pairs, for a host whose copy differs."""
    root = script.resolve().parents[2]
    groups = [(outputs, targets), *more]
    if "--check" in sys.argv:
        bad = [path for wanted, dirs in groups for path in stale(wanted(), dirs)]
        for path in bad:
            rel = script.resolve().relative_to(root)
            print(f"stale: {path.relative_to(root)} (run python {rel})")
        sys.exit(1 if bad else 0)
    for wanted, dirs in groups:
        if more:
            print(", ".join(str(d.relative_to(root)) for d in dirs) + ":")
        write(wanted(), dirs)
