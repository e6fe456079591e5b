"""The fake Shopify's token endpoint, ``POST https://<shop>/admin/oauth/access_token``
(the shop comes from the ``Host`` header, as on Shopify's one host per shop).

- ``grant_type=urn:ietf:params:oauth:grant-type:token-exchange``: the subject
  token is checked as Shopify does — HS256 with the client secret (the fake's
  own check, standard library only), ``aud`` = the client id, ``dest`` = this
  shop, not expired — else ``400 {"error": "invalid_subject_token"}``; the app
  must be installed on the shop and the credentials right, else ``401
  {"error": "invalid_client"}``. With ``expiring=1`` it answers an offline pair:
  a 1 h access token and a 90-day refresh token.
- ``grant_type=refresh_token``: a new pair for a known refresh token (rotation).
  The previous refresh token stays usable until the new pair is first used
  (Shopify's "more resilient refreshes", 2026-08). Unknown, spent or expired:
  ``400 {"error": "invalid_grant"}``.

The Admin API (``POST /admin/api/<version>/graphql.json``) answers the two
requests the app makes — ``currentAppInstallation { id }`` and
``metafieldsSet`` on it — for a valid ``X-Shopify-Access-Token`` of the shop
(else 401); app-owned metafields land in ``metafields[shop][key]`` (parsed
JSON), which the storefront renders as ``app.metafields.hushbook.<key>.value``.

Every token it hands out is remembered (``issued``) so leak tests can look for
them; the clock is injectable (``now``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, jsonify, request

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token"
ACCESS_LIFETIME = 3600
REFRESH_LIFETIME = 90 * 86400


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_session_token(token: str, secret: str, client_id: str, shop: str, now: float) -> bool:
    try:
        head_b64, body_b64, sig_b64 = token.split(".")
        head = json.loads(_unb64(head_b64))
        claims = json.loads(_unb64(body_b64))
        signature = _unb64(sig_b64)
    except (ValueError, TypeError):
        return False
    expected = hmac.new(secret.encode(), f"{head_b64}.{body_b64}".encode(), hashlib.sha256)
    return (
        head.get("alg") == "HS256"
        and hmac.compare_digest(signature, expected.digest())
        and claims.get("aud") == client_id
        and claims.get("dest") == f"https://{shop}"
        and isinstance(claims.get("exp"), int)
        and claims["exp"] + 10 >= now
    )


@dataclass
class Pair:
    shop: str
    access_token: str
    access_expires: float
    refresh_token: str
    refresh_expires: float
    used: bool = False  # the pair's access or refresh token was used
    previous_refresh: str | None = None  # still usable until this pair is used


@dataclass
class FakeOAuth:
    client_id: str
    client_secret: str
    installed: set[str] = field(default_factory=set)
    now: Callable[[], float] = time.time
    pairs: dict[str, Pair] = field(default_factory=dict)  # refresh token -> pair
    issued: list[str] = field(default_factory=list)  # every token handed out
    calls: list[str] = field(default_factory=list)  # grant per request, in order
    metafields: dict[str, dict[str, object]] = field(default_factory=dict)  # shop -> key -> value

    def install(self, shop: str) -> None:
        self.installed.add(shop)

    def uninstall(self, shop: str) -> None:
        self.installed.discard(shop)

    def _new_pair(self, shop: str, previous_refresh: str | None = None) -> dict:
        now = self.now()
        pair = Pair(
            shop,
            "shpat_" + secrets.token_hex(16),
            now + ACCESS_LIFETIME,
            "shprt_" + secrets.token_hex(16),
            now + REFRESH_LIFETIME,
            previous_refresh=previous_refresh,
        )
        self.pairs[pair.refresh_token] = pair
        self.issued += [pair.access_token, pair.refresh_token]
        return {
            "access_token": pair.access_token,
            "scope": "write_app_proxy",
            "expires_in": ACCESS_LIFETIME,
            "refresh_token": pair.refresh_token,
            "refresh_token_expires_in": REFRESH_LIFETIME,
        }

    def _refresh_usable(self, token: str, shop: str) -> Pair | None:
        now = self.now()
        pair = self.pairs.get(token)
        if pair is not None and pair.shop == shop and pair.refresh_expires > now:
            successor = next((p for p in self.pairs.values() if p.previous_refresh == token), None)
            if successor is None or not successor.used:
                return pair
        return None

    def handle(self, shop: str, body: dict) -> tuple[dict, int]:
        grant = body.get("grant_type")
        self.calls.append(str(grant))
        if (
            body.get("client_id") != self.client_id
            or body.get("client_secret") != self.client_secret
        ):
            return {"error": "invalid_client"}, 401
        if shop not in self.installed:
            return {"error": "invalid_client"}, 401
        if grant == TOKEN_EXCHANGE:
            if body.get("subject_token_type") != ID_TOKEN_TYPE:
                return {"error": "invalid_request"}, 400
            if not check_session_token(
                str(body.get("subject_token", "")),
                self.client_secret,
                self.client_id,
                shop,
                self.now(),
            ):
                return {"error": "invalid_subject_token"}, 400
            if body.get("requested_token_type") != OFFLINE or str(body.get("expiring")) != "1":
                return {
                    "error": "invalid_request",
                    "error_description": "offline, expiring only",
                }, 400
            return self._new_pair(shop), 200
        if grant == "refresh_token":
            token = str(body.get("refresh_token", ""))
            pair = self._refresh_usable(token, shop)
            if pair is None:
                return {"error": "invalid_grant"}, 400
            pair.used = True
            if pair.previous_refresh:
                # using this pair's refresh token spends its predecessor for good
                self.pairs.pop(pair.previous_refresh, None)
            return self._new_pair(shop, previous_refresh=token), 200
        return {"error": "unsupported_grant_type"}, 400

    def access_token_valid(self, shop: str, token: str) -> bool:
        for pair in self.pairs.values():
            if pair.shop == shop and pair.access_token == token:
                if pair.access_expires > self.now():
                    pair.used = True
                    return True
        return False

    def register(self, app: Flask) -> None:
        """Add the endpoint to ``app`` (the fake Shopify's Flask app)."""

        @app.post("/admin/oauth/access_token")
        def access_token():
            shop = (request.host or "").split(":")[0].lower()
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return jsonify(error="invalid_request"), 400
            answer, status = self.handle(shop, body)
            return jsonify(answer), status

        @app.post("/admin/api/<version>/graphql.json")
        def graphql(version: str):
            shop = (request.host or "").split(":")[0].lower()
            token = request.headers.get("X-Shopify-Access-Token", "")
            if not self.access_token_valid(shop, token):
                return jsonify(errors="[API] Invalid API key or access token"), 401
            body = request.get_json(silent=True) or {}
            query = str(body.get("query", ""))
            installation = f"gid://shopify/AppInstallation/{abs(hash(shop)) % 10**9}"
            if "currentAppInstallation" in query:
                return jsonify(data={"currentAppInstallation": {"id": installation}})
            if "metafieldsSet" in query:
                out, errors = [], []
                for item in (body.get("variables") or {}).get("metafields", []):
                    if item.get("ownerId") != installation or item.get("type") != "json":
                        errors.append({"field": ["ownerId"], "message": "not this app"})
                        continue
                    if item.get("namespace") == "hushbook":
                        self.metafields.setdefault(shop, {})[item["key"]] = json.loads(
                            item["value"]
                        )
                    out.append({"key": item["key"]})
                return jsonify(data={"metafieldsSet": {"metafields": out, "userErrors": errors}})
            return jsonify(errors=[{"message": "unknown query in the fake"}]), 200

    def app(self) -> Flask:
        app = Flask("fake_shopify_oauth")
        self.register(app)
        return app
