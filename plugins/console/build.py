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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # plugins/
import build_copies  # noqa: E402

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


if __name__ == "__main__":
    build_copies.main(outputs, TARGETS, Path(__file__))
