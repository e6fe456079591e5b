"""Build the staff console from plugins/console into the service's static folder.

No npm step, as for the widget (plugins/widget/build.py): the console is plain JS,
so "building" is concatenation plus copying. The bundle loads, in this order,
the vendored scrypt (vendor/), the widget's HPKE sealing (one source for both:
plugins/widget/src/sealing.js), the vault (src/vault.js) and the console:
src/console.js (the core) and the screens src/screens/NN-name.js in file-name
order (the menu's order), wrapped together in one function scope so that
nothing of the console is global. Stylesheets: src/console.css, then
src/screens/NN-name.css. The language files are merged per language from
src/i18n/<lang>/*.json (one per screen; a key defined twice is an error). The
copy is committed so that a wheel works without running this; ``--check`` (run
by the tests) fails when it is stale.

    python plugins/console/build.py          # write the copy
    python plugins/console/build.py --check  # exit 1 if it differs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # plugins/
import build_copies  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SRC = HERE / "src"
TARGETS = [ROOT / "service" / "hushbook_service" / "static" / "console"]
LIBRARIES = [
    HERE / "vendor" / "noble-hashes-2.4.0" / "scrypt.js",
    ROOT / "plugins" / "widget" / "src" / "sealing.js",
    SRC / "vault.js",
]
BANNER = "/* Built by plugins/console/build.py from {names}; do not edit. */\n"


def console_sources() -> list[Path]:
    """The core, then the screens in menu order."""
    return [SRC / "console.js", *sorted((SRC / "screens").glob("[0-9][0-9]-*.js"))]


def languages() -> dict[str, dict[str, str]]:
    """Language -> every text of the console, merged from src/i18n/<lang>/*.json."""
    out: dict[str, dict[str, str]] = {}
    for folder in sorted(p for p in (SRC / "i18n").iterdir() if p.is_dir()):
        merged: dict[str, str] = {}
        for part in sorted(folder.glob("*.json")):
            texts = json.loads(part.read_text(encoding="utf-8"))
            twice = sorted(set(merged) & set(texts))
            if twice:
                raise SystemExit(f"{part}: defined twice: {', '.join(twice)}")
            merged.update(texts)
        out[folder.name] = merged
    return out


def outputs() -> dict[str, bytes]:
    """File name (relative to a target) -> content."""

    def read(path: Path) -> str:
        return path.read_text(encoding="utf-8")

    sources = console_sources()
    styles = [SRC / "console.css", *sorted((SRC / "screens").glob("[0-9][0-9]-*.css"))]
    css_names = [p.relative_to(ROOT).as_posix() for p in styles]
    names = " + ".join(p.relative_to(ROOT).as_posix() for p in [*LIBRARIES, *sources])
    console = (
        '(function () {\n  "use strict";\n\n'
        + "\n".join(read(p) for p in sources)
        + "\n  start();\n})();\n"
    )
    files = {
        "hushbook-console.js": BANNER.format(names=names)
        + "\n".join(read(p) for p in LIBRARIES)
        + "\n"
        + console,
        "hushbook-console.css": BANNER.format(names=" + ".join(css_names))
        + "\n".join(read(p) for p in styles),
        "icon.svg": read(SRC / "icon.svg"),
        "LICENSE-noble-hashes.txt": read(HERE / "vendor" / "noble-hashes-2.4.0" / "LICENSE"),
    }
    for lang, texts in languages().items():
        files[f"i18n/{lang}.json"] = json.dumps(texts, ensure_ascii=False, indent=2) + "\n"
    return {name: text.encode("utf-8") for name, text in files.items()}


if __name__ == "__main__":
    build_copies.main(outputs, TARGETS, Path(__file__))
