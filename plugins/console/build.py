"""Build the staff console from plugins/console into the service's static folder.

No npm step, as for the widget (plugins/widget/build.py): the console is plain JS,
so "building" is concatenation plus copying. The bundle loads, in this order,
the vendored scrypt (vendor/), the widget's HPKE sealing (one source for both:
plugins/widget/src/sealing.js), the vault (src/vault.js) and the console itself
(src/console.js). The copy is committed so that a wheel works without running
this; ``--check`` (run by the tests) fails when it is stale.

    python plugins/console/build.py          # write the copy
    python plugins/console/build.py --check  # exit 1 if it differs
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SRC = HERE / "src"
TARGETS = [ROOT / "service" / "hushbook_service" / "static" / "console"]
BUNDLE = [
    HERE / "vendor" / "noble-hashes-2.4.0" / "scrypt.js",
    ROOT / "plugins" / "widget" / "src" / "sealing.js",
    SRC / "vault.js",
    SRC / "console.js",
]
BANNER = "/* Built by plugins/console/build.py from {names}; do not edit. */\n"


def outputs() -> dict[str, bytes]:
    """File name (relative to a target) -> content."""

    def read(path: Path) -> str:
        return path.read_text(encoding="utf-8")

    names = " + ".join(p.relative_to(ROOT).as_posix() for p in BUNDLE)
    files = {
        "hushbook-console.js": BANNER.format(names=names) + "\n".join(read(p) for p in BUNDLE),
        "hushbook-console.css": BANNER.format(names="plugins/console/src/console.css")
        + read(SRC / "console.css"),
        "icon.svg": read(SRC / "icon.svg"),
        "LICENSE-noble-hashes.txt": read(HERE / "vendor" / "noble-hashes-2.4.0" / "LICENSE"),
    }
    for lang in sorted((SRC / "i18n").glob("*.json")):
        files[f"i18n/{lang.name}"] = lang.read_text(encoding="utf-8")
    return {name: text.encode("utf-8") for name, text in files.items()}


def stale() -> list[Path]:
    wanted = outputs()
    out = []
    for target in TARGETS:
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


def build() -> None:
    wanted = outputs()
    for target in TARGETS:
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


if __name__ == "__main__":
    if "--check" in sys.argv:
        bad = stale()
        for path in bad:
            print(f"stale: {path.relative_to(ROOT)} (run python plugins/console/build.py)")
        sys.exit(1 if bad else 0)
    build()
