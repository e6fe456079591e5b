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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # plugins/
import build_copies  # noqa: E402

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


if __name__ == "__main__":
    build_copies.main(outputs, TARGETS, Path(__file__))
