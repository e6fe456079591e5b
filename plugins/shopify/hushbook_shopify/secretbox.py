"""Secrets at rest: AES-256-GCM (pycryptodome), bound to a shop and a field.

Stored form: ``v1.<key id>.<b64url nonce>.<b64url ciphertext+tag>``. The key id
(8 hex digits of SHA-256 over the key) names which data key sealed a value, so
the operator can rotate ``HUSHBOOK_SHOPIFY_DATA_KEY`` (the old one moves to
``HUSHBOOK_SHOPIFY_OLD_DATA_KEYS`` until ``hushbook-shopify rotate-data-key``
has re-sealed every row). The associated data is
``hushbook-shopify|v1|<shop domain>|<field>``: a value copied to another shop
or another column does not open.
"""

from __future__ import annotations

import base64
import hashlib

from Crypto.Cipher import AES
from Crypto.Random import get_random_bytes

VERSION = "v1"
FIELDS = ("access_token", "refresh_token", "integration_key")


class SecretError(ValueError):
    """A stored value does not open (wrong key, shop, field, or tampered)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"hushbook-shopify key id|" + key).hexdigest()[:8]


def _aad(shop: str, field: str) -> bytes:
    if field not in FIELDS:
        raise ValueError(f"unknown secret field {field!r}")
    return f"hushbook-shopify|{VERSION}|{shop}|{field}".encode()


def seal(keys: tuple[bytes, ...], shop: str, field: str, plaintext: str) -> str:
    """Encrypt with the first (current) key."""
    key = keys[0]
    nonce = get_random_bytes(12)
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    cipher.update(_aad(shop, field))
    ciphertext, tag = cipher.encrypt_and_digest(plaintext.encode("utf-8"))
    return ".".join((VERSION, key_id(key), _b64(nonce), _b64(ciphertext + tag)))


def open_(keys: tuple[bytes, ...], shop: str, field: str, stored: str) -> str:
    """Decrypt with whichever key sealed it; :class:`SecretError` if it does not open."""
    try:
        version, kid, nonce_b64, body_b64 = stored.split(".")
        nonce, body = _unb64(nonce_b64), _unb64(body_b64)
    except (ValueError, AttributeError) as exc:
        raise SecretError("not a sealed value") from exc
    if version != VERSION or len(nonce) != 12 or len(body) < 16:
        raise SecretError("not a sealed value")
    for key in keys:
        if key_id(key) != kid:
            continue
        cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
        cipher.update(_aad(shop, field))
        try:
            return cipher.decrypt_and_verify(body[:-16], body[-16:]).decode("utf-8")
        except ValueError as exc:
            raise SecretError("does not open (tampered, or another shop or field)") from exc
    raise SecretError("sealed with a data key that is not configured")


def needs_reseal(keys: tuple[bytes, ...], stored: str) -> bool:
    """True when ``stored`` was sealed with another key than the current one."""
    parts = stored.split(".")
    return len(parts) != 4 or parts[1] != key_id(keys[0])
