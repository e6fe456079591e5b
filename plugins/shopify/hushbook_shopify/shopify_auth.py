"""The one adapter over Shopify's ``shopifyapp`` package.

Everything Shopify-signed passes through here: session (ID) tokens of the
embedded admin, app-proxy signatures, webhook HMACs, and the token endpoint
(token exchange for an expiring offline token, refresh). The rest of the app
sees small results of its own, never ``shopifyapp`` types.

On top of ``shopifyapp`` this module adds the rules Hushbook holds itself to
(docs/shopify.md, "Security"):

- session tokens: HS256 only (PyJWT with an explicit list, inside shopifyapp),
  10 s leeway, ``aud`` = the client id, the claims ``iss dest aud sub exp nbf
  iat jti sid`` present, ``dest`` a valid ``https://<shop>.myshopify.com``,
  ``iss`` = ``dest + "/admin"``, and a ``shop`` query parameter, where there is
  one, naming the same shop;
- app proxy: no parameter Shopify adds (``shop``, ``signature``, ``timestamp``,
  ``path_prefix``, ``logged_in_customer_id``, ``hmac``) may appear twice, and
  ``shop`` must be a valid shop domain; shopifyapp checks the signature and the
  90 s window;
- webhooks: the HMAC over the raw body bytes (shopifyapp), a body that is not
  UTF-8 is refused.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import shopify_app

from hushbook_shopify.config import Settings, valid_shop

REQUIRED_CLAIMS = ("iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid")
PROXY_SINGLE = ("shop", "signature", "timestamp", "path_prefix", "logged_in_customer_id", "hmac")
TIMEOUT = 10.0


@dataclass(frozen=True)
class Verdict:
    """What a verification found. ``status``/``headers``/``body`` answer a refusal."""

    ok: bool
    code: str
    shop: str | None = None  # the full domain, <name>.myshopify.com
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    claims: dict = field(default_factory=dict, repr=False)
    token: str = field(default="", repr=False)
    logged_in_customer: bool = False  # only whether one was named; its id is dropped


@dataclass(frozen=True)
class TokenPair:
    access_token: str = field(repr=False)
    access_expires: datetime | None
    refresh_token: str | None = field(repr=False)
    refresh_expires: datetime | None
    scopes: str


@dataclass(frozen=True)
class Exchange:
    """A token-endpoint outcome: ``pair`` on success, else ``code`` and an answer."""

    ok: bool
    code: str
    pair: TokenPair | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class _ToBase(httpx.BaseTransport):
    """Sends ``https://<shop>.myshopify.com/...`` to a configured base instead
    (the tests' local Shopify), keeping the shop in ``Host`` and in TLS SNI."""

    def __init__(self, base: str, verify: ssl.SSLContext | bool) -> None:
        self.base = httpx.URL(base)
        self.inner = httpx.HTTPTransport(verify=verify)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if valid_shop(host) is None:
            raise httpx.ConnectError("only shop hosts are redirected")
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        request.headers["Host"] = host
        request.extensions = {**request.extensions, "sni_hostname": host}
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


class ShopifyAuth:
    def __init__(self, settings: Settings, http_client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.app = shopify_app.ShopifyApp(
            settings.client_id, settings.client_secret, settings.old_client_secret
        )
        self._http = http_client

    # --- the token endpoint's HTTP client ----------------------------------------
    def _client(self) -> httpx.Client:
        if self._http is not None:
            return self._http
        if self.settings.api_base:
            ca = self.settings.api_ca_bundle
            verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca) if ca else True
            transport = _ToBase(self.settings.api_base, verify)
            self._http = httpx.Client(transport=transport, timeout=TIMEOUT)
        else:
            self._http = httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        return self._http

    # --- embedded admin: session tokens ------------------------------------------
    def verify_app_home(
        self, method: str, url: str, headers: dict[str, str], patch_path: str
    ) -> Verdict:
        """A document load (``id_token`` in the query) or a fetch (Bearer)."""
        result = self.app.verify_app_home_req(
            {"method": method, "headers": headers, "url": url, "body": ""}, patch_path
        )
        is_fetch = any(k.lower() == "authorization" for k in headers)
        if not result.ok:
            return Verdict(
                False,
                result.log.code,
                status=result.response.status,
                headers=dict(result.response.headers),
            )
        claims = dict(result.id_token.claims) if result.id_token else {}
        refusal = _claims_problem(claims, url)
        if refusal:
            retry = {"X-Shopify-Retry-Invalid-Session-Request": "1"} if is_fetch else {}
            return Verdict(False, refusal, status=401, headers=retry)
        dest_host = urlsplit(claims["dest"]).hostname or ""
        return Verdict(
            True,
            "verified",
            shop=dest_host,
            status=200,
            headers=dict(result.response.headers),
            claims=claims,
            token=result.id_token.token if result.id_token else "",
        )

    def invalid_token_answer(self, url: str, is_fetch: bool, patch_path: str) -> Verdict:
        """What to answer when Shopify refuses the token (``invalid_subject_token``):
        a fetch retries with a new token, a document load goes to the patch page."""
        if is_fetch:
            return Verdict(
                False,
                "invalid_subject_token",
                status=401,
                headers={"X-Shopify-Retry-Invalid-Session-Request": "1"},
            )
        result = self.app.verify_app_home_req(
            {"method": "GET", "headers": {}, "url": _without_id_token(url), "body": ""},
            patch_path,
        )
        return Verdict(
            False,
            "invalid_subject_token",
            status=result.response.status,
            headers=dict(result.response.headers),
        )

    def patch_page_shop(self, url: str) -> str | None:
        """The shop of a patch-ID-token request, if the request is well formed."""
        result = self.app.app_home_patch_id_token(
            {"method": "GET", "headers": {}, "url": url, "body": ""}
        )
        if not result.ok:
            return None
        return valid_shop(result.shop or "")

    # --- app proxy --------------------------------------------------------------
    def verify_proxy(self, url: str) -> Verdict:
        query = urlsplit(url).query
        params = parse_qs(query, keep_blank_values=True)
        for name in PROXY_SINGLE:
            if len(params.get(name, ())) > 1:
                return Verdict(False, f"duplicate_{name}", status=401)
        result = self.app.verify_app_proxy_req(
            {"method": "GET", "headers": {}, "url": url, "body": ""}
        )
        if not result.ok:
            return Verdict(False, result.log.code, status=401)
        shop = valid_shop(params.get("shop", [""])[0])
        if shop is None:
            return Verdict(False, "invalid_shop", status=401)
        return Verdict(
            True,
            "verified",
            shop=shop,
            logged_in_customer=bool(result.logged_in_customer_id),
        )

    # --- webhooks ---------------------------------------------------------------
    def verify_webhook(self, method: str, headers: dict[str, str], body: bytes) -> Verdict:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return Verdict(False, "body_not_utf8", status=400)
        result = self.app.verify_webhook_req(
            {"method": method, "headers": headers, "url": "/webhooks", "body": text}
        )
        if not result.ok:
            return Verdict(False, result.log.code, status=result.response.status)
        lower = {k.lower(): v for k, v in headers.items()}
        shop = valid_shop(
            lower.get("x-shopify-shop-domain") or lower.get("shopify-shop-domain", "")
        )
        if shop is None:
            return Verdict(False, "invalid_shop", status=400)
        return Verdict(True, "verified", shop=shop)

    # --- token endpoint ---------------------------------------------------------
    def exchange(self, verdict: Verdict) -> Exchange:
        """An expiring offline token pair for the shop of a verified session token."""
        result = self.app.exchange_using_token_exchange(
            "offline",
            id_token={"exchangeable": True, "token": verdict.token, "claims": verdict.claims},
            invalid_token_response={"status": 401, "body": "", "headers": {}},
            expiring=True,
            http_client=self._client(),
        )
        return _exchange_outcome(result)

    def refresh(
        self,
        shop: str,
        refresh_token: str,
        refresh_expires: datetime | None,
        *,
        force: bool = False,
        access_expires: datetime | None = None,
    ) -> Exchange:
        """A new pair for the refresh token (the old one is spent: store the new pair).

        shopifyapp refreshes only when the access token has less than 60 s left;
        ``force`` refreshes now (the CLI keeps refresh tokens from running out)."""
        result = self.app.refresh_token_exchanged_access_token(
            {
                "shop": shop.removesuffix(".myshopify.com"),
                "token": "",
                "expires": None if force else _iso(access_expires),
                "scope": "",
                "access_mode": "offline",
                "refresh_token": refresh_token,
                "refresh_token_expires": _iso(refresh_expires),
                "user": None,
            },
            http_client=self._client(),
        )
        if result.ok and result.access_token is None:
            return Exchange(False, result.log.code)  # token_still_valid: nothing to store
        return _exchange_outcome(result)

    # --- Admin API (GraphQL) --------------------------------------------------------
    def graphql(
        self, shop: str, access_token: str, query: str, variables: dict | None = None
    ) -> tuple[bool, dict | None, str]:
        """(ok, data, code) of one Admin API GraphQL request with the offline token."""
        result = self.app.admin_graphql_request(
            query,
            shop=shop.removesuffix(".myshopify.com"),
            access_token=access_token,
            api_version=self.settings.api_version,
            invalid_token_response={"status": 401, "body": "", "headers": {}},
            variables=variables,
            max_retries=1,
            http_client=self._client(),
        )
        return result.ok, result.data, result.log.code


def _exchange_outcome(result) -> Exchange:
    if not result.ok or result.access_token is None:
        return Exchange(
            False,
            result.log.code,
            status=result.response.status,
            headers=dict(result.response.headers),
        )
    token = result.access_token
    return Exchange(
        True,
        "success",
        pair=TokenPair(
            access_token=token.token,
            access_expires=_parse_time(token.expires),
            refresh_token=token.refresh_token,
            refresh_expires=_parse_time(token.refresh_token_expires),
            scopes=token.scope or "",
        ),
    )


def _claims_problem(claims: dict, url: str) -> str | None:
    """Hushbook's own session-token rules beyond shopifyapp's (see the module doc)."""
    if any(claims.get(name) in (None, "") for name in REQUIRED_CLAIMS):
        return "missing_claim"
    dest = claims["dest"]
    if not isinstance(dest, str) or not isinstance(claims["iss"], str):
        return "invalid_dest"
    parts = urlsplit(dest)
    shop = valid_shop(parts.hostname or "")
    if parts.scheme != "https" or shop is None or dest != f"https://{shop}":
        return "invalid_dest"
    if claims["iss"] != f"{dest}/admin":
        return "invalid_iss"
    named = parse_qs(urlsplit(url).query).get("shop", [])
    if named and (len(named) > 1 or valid_shop(named[0]) != shop):
        return "shop_mismatch"
    return None


def _without_id_token(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("id_token="))
    return parts._replace(query=query).geturl()
