"""Build the booking widget from plugins/widget/src into every host that ships it.

One source of truth: the service's /book/{slug} page and the
WordPress plugin serve byte-identical copies. No npm step: the widget is plain
JS, so "building" is concatenation (the sealing module goes first because the
widget uses it) plus copying. The copies are committed so that a plugin folder
or a wheel works without running this; ``--check`` (run by the tests) fails
when a copy is stale.

The Shopify theme app extension gets its own copy in its flat ``assets/``
folder: the small loader (the block's script, under Shopify's 10 KB), the
widget with its worker and language files inside the bundle (the extension's
CDN is another origin that may send no CORS headers), and one stylesheet
(the widget's and the loader's).

    python plugins/widget/build.py          # write the copies
    python plugins/widget/build.py --check  # exit 1 if any copy differs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # plugins/
import build_copies  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SRC = Path(__file__).resolve().parent / "src"
TARGETS = [
    ROOT / "service" / "hushbook_service" / "static" / "widget",
    ROOT / "plugins" / "wordpress" / "hushbook" / "assets" / "widget",
    # the Shopify app serves the worker and texts through the app proxy (same origin)
    ROOT / "plugins" / "shopify" / "hushbook_shopify" / "static" / "widget",
]
SHOPIFY_ASSETS = ROOT / "plugins" / "shopify" / "extensions" / "hushbook-booking" / "assets"
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


def shopify_outputs() -> dict[str, bytes]:
    """The theme app extension's assets/ (flat: Shopify allows no sub-folders)."""

    def read(name: str) -> str:
        return (SRC / name).read_text(encoding="utf-8")

    inline = {"hushbook-pow-worker.js": read("pow-worker.js")}
    for lang in sorted((SRC / "i18n").glob("*.json")):
        json.loads(lang.read_text(encoding="utf-8"))  # a broken file fails the build
        inline[f"i18n/{lang.name}"] = lang.read_text(encoding="utf-8")
    files_js = (
        "globalThis.HushbookWidgetFiles = "
        + json.dumps(inline, ensure_ascii=False, indent=0, sort_keys=True)
        + ";\n"
    )
    bundle = ["sealing.js", "widget.js"]
    files = {
        "hushbook-loader.js": BANNER.format(names="loader.js") + read("loader.js"),
        "hushbook-widget.js": BANNER.format(
            names="pow-worker.js + i18n/*.json (as HushbookWidgetFiles) + " + " + ".join(bundle)
        )
        + files_js
        + "\n".join(read(n) for n in bundle),
        "hushbook-booking.css": BANNER.format(names="widget.css + loader.css")
        + read("widget.css")
        + read("loader.css"),
    }
    return {name: text.encode("utf-8") for name, text in files.items()}


if __name__ == "__main__":
    build_copies.main(outputs, TARGETS, Path(__file__), more=[(shopify_outputs, [SHOPIFY_ASSETS])])
