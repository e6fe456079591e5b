"""The one module that reads the environment (docs/shopify.md, "Settings").

Every setting has a name starting ``SHOPIFY_`` (what Shopify's CLI sets for
the app process) or ``HUSHBOOK_SHOPIFY_``. Secrets are never printed:
:class:`Settings` hides them from its ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__version__ = "0.1.0"

SHOP_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js"
API_VERSION = "2026-10"


class ConfigError(ValueError):
    """A setting is missing or unusable; the message names it, never its value."""


def valid_shop(value: str) -> str | None:
    """``<name>.myshopify.com`` in lower case, or None (the one shop-domain rule)."""
    shop = (value or "").strip().lower()
    return shop if len(shop) <= 255 and SHOP_RE.match(shop) else None


@dataclass(frozen=True)
class Settings:
    client_id: str
    client_secret: str = field(repr=False)
    data_keys: tuple[bytes, ...] = field(repr=False)  # [0] encrypts; all decrypt
    database_url: str = "sqlite:///hushbook-shopify.db"
    app_url: str = ""
    old_client_secret: str | None = field(default=None, repr=False)
    api_version: str = API_VERSION
    # Where https://<shop>.myshopify.com/admin/... is sent: Shopify itself when empty;
    # tests point it at the local fake (the Host header still names the shop).
    api_base: str = ""
    api_ca_bundle: str = ""  # a CA file for api_base (tests: the fake's own CA)
    app_bridge_url: str = APP_BRIDGE_URL
    extension_uid: str = ""  # the theme extension's id, for the theme editor deep link
    block_handle: str = "booking"
    trusted_hops: int = 0  # proxies of the operator in front of this app (XFF entries)
    allow_private_services: bool = False  # service URLs on loopback/private addresses
    log_level: str = "INFO"

    def secrets(self) -> dict[str, str | None]:
        """For the adapter only: what shopifyapp needs to verify and exchange."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "old_client_secret": self.old_client_secret,
        }


def _data_key(name: str, raw: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.strip() + "=" * (-len(raw.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{name} is not base64") from exc
    if len(key) != 32:
        raise ConfigError(f"{name} must be 32 bytes (base64), e.g. from `hushbook-shopify keygen`")
    return key


def load_settings(env: dict[str, str] | None = None, **overrides) -> Settings:
    """Settings from ``env`` (default: the process environment), then ``overrides``."""
    env = dict(os.environ if env is None else env)

    def get(name: str, default: str = "") -> str:
        return env.get(name, default).strip()

    missing = [n for n, attr in _OVERRIDE_NAMES.items() if not get(n) and attr not in overrides]
    if missing:
        raise ConfigError("missing setting(s): " + ", ".join(missing))
    keys: tuple[bytes, ...] = ()
    if "data_keys" not in overrides:
        keys = (_data_key("HUSHBOOK_SHOPIFY_DATA_KEY", get("HUSHBOOK_SHOPIFY_DATA_KEY")),)
        for i, raw in enumerate(get("HUSHBOOK_SHOPIFY_OLD_DATA_KEYS").split(",")):
            if raw.strip():
                keys += (_data_key(f"HUSHBOOK_SHOPIFY_OLD_DATA_KEYS[{i}]", raw),)
    try:
        hops = int(get("HUSHBOOK_SHOPIFY_TRUSTED_HOPS", "0"))
    except ValueError as exc:
        raise ConfigError("HUSHBOOK_SHOPIFY_TRUSTED_HOPS must be a whole number") from exc
    if not 0 <= hops <= 5:
        raise ConfigError("HUSHBOOK_SHOPIFY_TRUSTED_HOPS must be between 0 and 5")
    values: dict = {
        "client_id": get("SHOPIFY_API_KEY"),
        "client_secret": get("SHOPIFY_API_SECRET"),
        "old_client_secret": get("SHOPIFY_OLD_API_SECRET") or None,
        "data_keys": keys,
        "database_url": get(
            "HUSHBOOK_SHOPIFY_DATABASE_URL",
            f"sqlite:///{Path.cwd() / 'hushbook-shopify.db'}",
        ),
        "app_url": get("HUSHBOOK_SHOPIFY_APP_URL").rstrip("/"),
        "api_version": get("SHOPIFY_API_VERSION", API_VERSION),
        "api_base": get("HUSHBOOK_SHOPIFY_API_BASE").rstrip("/"),
        "api_ca_bundle": get("HUSHBOOK_SHOPIFY_API_CA_BUNDLE"),
        "app_bridge_url": get("HUSHBOOK_SHOPIFY_APP_BRIDGE_URL", APP_BRIDGE_URL),
        "extension_uid": get("HUSHBOOK_SHOPIFY_EXTENSION_UID"),
        "block_handle": get("HUSHBOOK_SHOPIFY_BLOCK_HANDLE", "booking"),
        "trusted_hops": hops,
        "allow_private_services": get("HUSHBOOK_SHOPIFY_ALLOW_PRIVATE_SERVICES") == "1",
        "log_level": get("HUSHBOOK_SHOPIFY_LOG_LEVEL", "INFO").upper(),
    }
    values.update(overrides)
    settings = Settings(**values)
    _check(settings)
    return settings


_OVERRIDE_NAMES = {
    "SHOPIFY_API_KEY": "client_id",
    "SHOPIFY_API_SECRET": "client_secret",
    "HUSHBOOK_SHOPIFY_DATA_KEY": "data_keys",
}


def _check(settings: Settings) -> None:
    if not settings.client_id or not settings.client_secret:
        raise ConfigError("SHOPIFY_API_KEY and SHOPIFY_API_SECRET are required")
    if not settings.data_keys or any(len(k) != 32 for k in settings.data_keys):
        raise ConfigError("HUSHBOOK_SHOPIFY_DATA_KEY must be 32 bytes (base64)")
    for name, url in (("HUSHBOOK_SHOPIFY_APP_BRIDGE_URL", settings.app_bridge_url),):
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ConfigError(f"{name} must be an https URL")
    if settings.api_base:
        parts = urlsplit(settings.api_base)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            raise ConfigError("HUSHBOOK_SHOPIFY_API_BASE must be scheme://host[:port]")
    if not re.match(r"^\d{4}-(01|04|07|10)$", settings.api_version):
        raise ConfigError("SHOPIFY_API_VERSION must look like 2026-10")
