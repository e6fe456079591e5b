"""Build the booking widget from plugins/widget/src into every host that ships it.

One source of truth: the service's /book/{slug} page and the
WordPress plugin serve byte-identical copies. No npm step: the widget is plain
JS, so "building" is concatenation (the sealing module goes first because the
widget uses it) plus copying. The copies are committed so that a plugin folder
or a wheel works without running this; ``--check`` (run by the tests) fails
when a copy is stale.

    python plugins/widget/build.py          # write the copies
    python plugins/widget/build.py --check  # exit 1 if any copy differs
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = Path(__file__).resolve().parent / "src"
TARGETS = [
    ROOT / "service" / "hushbook_service" / "static" / "widget",
    ROOT / "plugins" / "wordpress" / "hushbook" / "assets" / "widget",
]
BANNER = "/* Built by plugins/widget/build.py from plugins/widget/src/{names}; do not edit. */\n"


def outputs() -> dict[str, bytes]:
    """File name (relative to a target) -> content."""

    def read(name: str) -> str:
        return (SRC / name).read_text(encoding="utf-8")

    bundle = ["sealing.js", "widget.js"]
    files = {
        "hushbook-widget.js": BANNER.format(names=" + ".join(bundle))
        + "\n".join(read(n) for n in bundle),
        "hushbook-pow-worker.js": BANNER.format(names="pow-worker.js") + read("pow-worker.js"),
        "hushbook-widget.css": BANNER.format(names="widget.css") + read("widget.css"),
    }
    for lang in sorted((SRC / "i18n").glob("*.json")):
        files[f"i18n/{lang.name}"] = lang.read_text(encoding="utf-8")
    return {name: text.encode("utf-8") for name, text in files.items()}


def stale() -> list[Path]:
    wanted = outputs()
    out = []
    for target in TARGETS:
        present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
        for name in sorted(present | set(wanted)):
            path = target / name
            if name not in wanted or not path.is_file() or path.read_bytes() != wanted[name]:
                out.append(path)
    return out


def build() -> None:
    wanted = outputs()
    for target in TARGETS:
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
            print(f"stale: {path.relative_to(ROOT)} (run python plugins/widget/build.py)")
        sys.exit(1 if bad else 0)
    build()
