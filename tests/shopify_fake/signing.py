"""The fake Shopify's signers, written from Shopify's algorithms with the
standard library only (no shopifyapp, no PyJWT), so that the fake and the app
under test cannot share a mistake; tests/shopify/test_fake_signers.py checks
each against Shopify's published vectors.

- ``admin_hmac``: the ``hmac`` query parameter of admin/OAuth requests
  (the app home's document load): sorted ``key=value`` joined with ``&``,
  values percent-encoded as URLSearchParams does but with ``%20`` for a space,
  a repeated key as ``key[]=a&key[]=b``; hex HMAC-SHA256 with the client secret.
- ``legacy_admin_hmac``: the older Python ShopifyAPI form (only ``%``, ``&``
  and, in keys, ``=`` escaped; lists as ``["a", "b"]``).
- ``proxy_signature``: the app proxy's ``signature``: decoded values, a
  repeated key joined by ``,``, sorted, concatenated without separator; hex.
- ``session_token``: an HS256 JWT (base64url without padding) signed with the
  raw bytes of the client secret.
- ``webhook_hmac``: base64 HMAC-SHA256 of the raw body bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterable, Mapping

Params = Mapping[str, str | list[str]] | Iterable[tuple[str, str]]

# What URLSearchParams leaves alone (application/x-www-form-urlencoded).
_FORM_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-._")


def _pairs(params: Params) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        out: list[tuple[str, str]] = []
        for key, value in params.items():
            out += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
        return out
    return list(params)


def _grouped(params: Params, drop: tuple[str, ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in _pairs(params):
        if key not in drop:
            grouped.setdefault(key, []).append(value)
    return grouped


def _form_encode(text: str) -> str:
    return "".join(
        chr(b) if b in _FORM_SAFE else "%20" if b == 0x20 else f"%{b:02X}"
        for b in text.encode("utf-8")
    )


def _hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def admin_message(params: Params) -> str:
    parts = []
    for key, values in sorted(_grouped(params, ("hmac", "signature")).items()):
        if len(values) > 1:
            parts += [f"{_form_encode(key)}[]={_form_encode(v)}" for v in values]
        else:
            parts.append(f"{_form_encode(key)}={_form_encode(values[0])}")
    return "&".join(parts)


def admin_hmac(params: Params, secret: str) -> str:
    return _hex(secret, admin_message(params))


def legacy_admin_message(params: Mapping[str, str | list[str]]) -> str:
    """ShopifyAPI's ``Session.calculate_hmac`` message: each pair encoded, then
    the pair strings sorted."""
    pairs = []
    for key, value in params.items():
        if key == "hmac":
            continue
        if key.endswith("[]"):
            key = key.rstrip("[]")
            value = json.dumps([str(v) for v in value])
        key = str(key).replace("%", "%25").replace("=", "%3D")
        value = str(value).replace("%", "%25")
        pairs.append(f"{key}={value}".replace("&", "%26"))
    return "&".join(sorted(pairs))


def legacy_admin_hmac(params: Mapping[str, str | list[str]], secret: str) -> str:
    return _hex(secret, legacy_admin_message(params))


def proxy_message(params: Params) -> str:
    grouped = _grouped(params, ("signature",))
    return "".join(f"{key}={','.join(values)}" for key, values in sorted(grouped.items()))


def proxy_signature(params: Params, secret: str) -> str:
    return _hex(secret, proxy_message(params))


def webhook_hmac(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_hs256(claims: Mapping[str, object], secret: str, header: Mapping | None = None) -> str:
    head = dict(header or {"alg": "HS256", "typ": "JWT"})
    signing_input = (
        _b64url(json.dumps(head, separators=(",", ":")).encode())
        + "."
        + _b64url(json.dumps(dict(claims), separators=(",", ":")).encode())
    )
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64url(signature)


def session_claims(
    shop: str, client_id: str, *, user_id: str = "42", now: int | None = None, lifetime: int = 60
) -> dict[str, object]:
    """The claims of a fresh session token for ``shop`` (``<name>.myshopify.com``)."""
    now = int(time.time()) if now is None else now
    return {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": client_id,
        "sub": user_id,
        "exp": now + lifetime,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": hashlib.sha256(f"{shop}|{user_id}|{client_id}".encode()).hexdigest()[:32],
    }


def session_token(shop: str, client_id: str, secret: str, **kw) -> str:
    return jwt_hs256(session_claims(shop, client_id, **kw), secret)


def host_param(shop: str) -> str:
    """The ``host`` query parameter: base64 of ``admin.shopify.com/store/<name>``."""
    name = shop.removesuffix(".myshopify.com")
    return base64.b64encode(f"admin.shopify.com/store/{name}".encode()).decode().rstrip("=")
