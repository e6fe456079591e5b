"""The theme side of the fake Shopify: renders the extension's blocks with
``python-liquid`` as a storefront would, with the few Shopify objects and filters
they use (``block``, ``request``, ``app``; ``t``, ``asset_url``, ``json``).

python-liquid does not know Shopify's ``{% schema %}`` tag, so the schema is cut
out with a regular expression and parsed as JSON (as Shopify keeps it apart from
the rendered markup too). The ``t`` filter reads the extension's
``locales/<lang>.json`` with ``en.default.json`` as the fallback and answers
``translation missing: …`` like Shopify when a key is absent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from liquid import Environment, FileSystemLoader, Undefined

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "plugins" / "shopify" / "extensions" / "hushbook-booking"
SCHEMA = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.S)


def split_schema(source: str) -> tuple[str, dict]:
    """(the Liquid without its schema, the schema as a dict)."""
    found = SCHEMA.search(source)
    if not found:
        raise ValueError("the block has no {% schema %}")
    return source[: found.start()] + source[found.end() :], json.loads(found.group(1))


def shopify_json(value: Any) -> str:
    """Shopify's ``json`` filter: JSON of the value (nil -> null)."""
    if isinstance(value, Undefined):
        value = None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Rendered:
    html: str
    schema: dict


class Theme:
    """Renders ``blocks/<name>.liquid`` of one extension folder."""

    def __init__(self, extension: Path = EXTENSION, asset_base: str = "") -> None:
        self.extension = extension
        # Shopify answers asset_url with a protocol-relative URL on its CDN.
        self.asset_base = asset_base or "//cdn.shopify.com/extensions/hushbook-fake/assets/"

    @cache  # noqa: B019 - one environment per (theme, locale), kept as long as the theme
    def _env(self, locale: str) -> Environment:
        env = Environment(loader=FileSystemLoader(self.extension / "snippets", ext=".liquid"))
        texts = self._texts(locale)
        default = self._texts("en")

        def t(key: Any) -> str:
            key = str(key)
            for table in (texts, default):
                value: Any = table
                for part in key.split("."):
                    value = value.get(part) if isinstance(value, dict) else None
                if isinstance(value, str):
                    return value
            return f"translation missing: {locale}.{key}"

        env.filters["t"] = t
        env.filters["asset_url"] = lambda name: self.asset_base + str(name)
        env.filters["json"] = shopify_json
        return env

    def _texts(self, locale: str) -> dict:
        folder = self.extension / "locales"
        path = folder / ("en.default.json" if locale == "en" else f"{locale}.json")
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def render(
        self,
        block: str,
        settings: dict[str, Any] | None = None,
        *,
        locale: str = "en",
        block_id: str = "AbCdEf123",
        metafields: dict[str, Any] | None = None,
    ) -> Rendered:
        """The block's markup as the storefront would print it.

        ``settings``: the merchant's values (missing ones take the schema's
        defaults, as in the theme editor); ``metafields``: the app's own
        ``app.metafields.hushbook.<key>.value``."""
        source = (self.extension / "blocks" / f"{block}.liquid").read_text(encoding="utf-8")
        liquid, schema = split_schema(source)
        values = {s["id"]: s["default"] for s in schema.get("settings", []) if "default" in s}
        values.update(settings or {})
        env = self._env(locale)
        template = env.from_string(liquid)
        html = template.render(
            block={
                "id": block_id,
                "settings": values,
                "shopify_attributes": f'data-shopify-editor-block="{block_id}"',
            },
            request={"locale": {"iso_code": locale}, "design_mode": False},
            app={
                "metafields": {"hushbook": {k: {"value": v} for k, v in (metafields or {}).items()}}
            },
        )
        return Rendered(html, schema)
