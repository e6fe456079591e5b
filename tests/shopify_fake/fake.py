"""The fake Shopify's state and server.

One TLS server on 127.0.0.1 answers for every Shopify host name; Chromium is
pointed at it with ``--host-resolver-rules`` (``chromium_args``), so the real
names ``admin.shopify.com``, ``cdn.shopify.com`` and ``<shop>.myshopify.com``
give real origins: the admin and the app are cross-origin (an iframe with
postMessage), the extension's assets come from another origin than the
storefront, and every page is a secure context. A request is routed by its
``Host`` header:

- ``admin.shopify.com``: the admin shell (``admin.py``);
- ``cdn.shopify.com``: App Bridge and Polaris stand-ins, extension assets;
- ``<name>.myshopify.com``: the storefront and the app proxy
  (``storefront.py``) and the token endpoint (``oauth.py``).

Installing and uninstalling go through ``FakeShopify`` (which tells the token
endpoint), and so do the webhooks Shopify would send to the app then
(``webhooks.py``'s sender, over HTTPS to the app).

The certificate comes from a throw-away CA (``trustme``) and names these
hosts, the app's host and 127.0.0.1; ``ca_file`` lets the app under test
trust it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .oauth import FakeOAuth
from .signing import host_param
from .webhooks import Delivery, WebhookSender, via_http

SHOP_SUFFIX = ".myshopify.com"
# The theme app extension's id as Shopify would give it (also in asset URLs).
EXTENSION_UID = "5f1c0a52-7d3b-4c1e-9a8f-2b6d4e0c9a17"


@dataclass
class App:
    """The partner app as shopify.app.toml describes it, and where it really runs."""

    client_id: str
    client_secret: str
    app_url: str  # application_url, e.g. https://shopify-app.hushbook.test
    upstream: str = ""  # where the fake connects for the app proxy (default: app_url)
    handle: str = "hushbook-booking"
    name: str = "Hushbook booking"
    proxy_url: str = "/proxy"
    proxy_prefix: str = "apps"
    proxy_subpath: str = "hushbook"
    scopes: str = "write_app_proxy"

    @property
    def origin(self) -> str:
        return self.app_url.rstrip("/")


@dataclass
class Page:
    """A storefront page: a title, paragraphs before the app blocks, the blocks."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (block, settings)
    tall_intro: bool = False  # push the blocks below the fold (the loader waits for view)


@dataclass
class Shop:
    name: str  # salon-rosa
    installed: bool = False
    installed_at: float | None = None
    locales: tuple[str, ...] = ("en", "de")  # the first is the shop's primary language
    password_protected: bool = False
    pages: dict[str, Page] = field(default_factory=dict)  # "book" -> /pages/book
    embed: dict[str, Any] | None = None  # the app embed's settings while it is on
    metafields: dict[str, Any] = field(default_factory=dict)  # app.metafields.hushbook.*

    @property
    def domain(self) -> str:
        return self.name + SHOP_SUFFIX

    @property
    def host(self) -> str:
        return host_param(self.domain)


@dataclass
class ProxySwitches:
    """What tests may change about the app proxy (all off by default)."""

    wrong_secret: str | None = None  # sign with this instead of the client secret
    timestamp_offset: int = 0  # seconds added to the signed timestamp (-600: stale)
    duplicate_shop: str | None = None  # a second shop=… parameter
    customer_id: str = ""  # logged_in_customer_id (a logged-in Shopify customer)
    forwarded_for: str | None = None  # the client IP Shopify reports (default: the peer's)
    delay: float = 0.0  # seconds before forwarding (a slow proxy)


@dataclass
class Exchange:
    """One app-proxy round trip as the fake saw it (for the tests' leak scans)."""

    method: str
    path: str
    upstream_url: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes


class FakeShopify:
    def __init__(self, app: App, ca_file: Path | None = None) -> None:
        self.app = app
        self.shops: dict[str, Shop] = {}
        self.proxy = ProxySwitches()
        self.exchanges: list[Exchange] = []
        self.tokens_issued = 0  # session tokens the admin shell handed to App Bridge
        self.ca_file = ca_file  # to trust the app's certificate when proxying
        self.extension_uid = EXTENSION_UID
        self.oauth = FakeOAuth(app.client_id, app.client_secret)
        self.webhooks = WebhookSender(
            via_http(
                (app.upstream or app.app_url).rstrip("/"), verify=str(ca_file) if ca_file else True
            ),
            app.client_secret,
            retries=2,
        )
        self.lock = threading.Lock()

    # --- what a merchant does in Shopify ------------------------------------------------

    def shop(self, name: str) -> Shop:
        name = name.removesuffix(SHOP_SUFFIX)
        if name not in self.shops:
            self.shops[name] = Shop(name)
        return self.shops[name]

    def install(self, name: str) -> Shop:
        """Shopify-managed installation: Shopify records it and calls the app not at
        all; the app learns of the shop on its first admin load (token exchange)."""
        shop = self.shop(name)
        shop.installed, shop.installed_at = True, time.time()
        self.oauth.install(shop.domain)
        return shop

    def uninstall(self, name: str) -> Delivery:
        """The merchant removes the app: its tokens stop working, its blocks
        vanish from the theme, and Shopify sends ``app/uninstalled``."""
        shop = self.shop(name)
        shop.installed = False
        shop.embed = None
        self.oauth.uninstall(shop.domain)
        return self.webhooks.send(
            "app/uninstalled", WebhookSender.payload("app/uninstalled", shop.domain), shop.domain
        )

    def redact(self, name: str) -> Delivery:
        """``shop/redact``: 48 hours after an uninstall, Shopify asks the app to
        erase what it holds about the shop."""
        domain = self.shop(name).domain
        return self.webhooks.send(
            "shop/redact", WebhookSender.payload("shop/redact", domain), domain
        )

    def admin_url(self, name: str, path: str = "") -> str:
        return f"https://admin.shopify.com/store/{name}/apps/{self.app.handle}" + (
            "/" + path.lstrip("/") if path else ""
        )

    def storefront_url(self, name: str, path: str = "/") -> str:
        return f"https://{name}{SHOP_SUFFIX}{path}"

    # --- the WSGI application -------------------------------------------------------------

    def wsgi(self) -> Any:
        from . import admin, storefront

        admin_app = admin.create_admin(self)
        cdn_app = admin.create_cdn(self)
        shop_app = storefront.create_storefront(self)
        self.oauth.register(shop_app)
        apps: dict[str, Flask] = {"admin.shopify.com": admin_app, "cdn.shopify.com": cdn_app}

        def dispatch(environ, start_response):
            host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
            target = apps.get(host)
            if target is None and host.endswith(SHOP_SUFFIX):
                target = shop_app
            if target is None:
                return Response("unknown host", status=421)(environ, start_response)
            return target(environ, start_response)

        return dispatch


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # the tests print what matters
        pass


class Server:
    """``wsgi`` over TLS on 127.0.0.1 in a thread (werkzeug, threaded)."""

    def __init__(self, wsgi: Any, cert_file: Path, key_file: Path) -> None:
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1",
            0,
            wsgi,
            threaded=True,
            ssl_context=(str(cert_file), str(key_file)),
            request_handler=_QuietHandler,
        )
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Certificates:
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_certificates(folder: Path, *hosts: str) -> Certificates:
    """A throw-away CA and one certificate for Shopify's hosts, ``hosts`` and 127.0.0.1."""
    import trustme

    ca = trustme.CA()
    leaf = ca.issue_cert(
        "admin.shopify.com",
        "cdn.shopify.com",
        "*.myshopify.com",
        *hosts,
        "localhost",
        "127.0.0.1",
    )
    folder.mkdir(parents=True, exist_ok=True)
    certs = Certificates(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    ca.cert_pem.write_to_path(str(certs.ca_file))
    leaf.cert_chain_pems[0].write_to_path(str(certs.cert_file))
    for extra in leaf.cert_chain_pems[1:]:
        extra.write_to_path(str(certs.cert_file), append=True)
    leaf.private_key_pem.write_to_path(str(certs.key_file))
    certs.key_file.chmod(0o600)
    return certs


def chromium_args(fake_port: int, app_host: str, app_port: int) -> list[str]:
    """Chromium flags that send Shopify's hosts to the fake and the app's host to the
    app, both on 127.0.0.1 over TLS (the certificates are the tests' own: the
    browser context is opened with ``ignore_https_errors``)."""
    rules = [
        f"MAP admin.shopify.com:443 127.0.0.1:{fake_port}",
        f"MAP cdn.shopify.com:443 127.0.0.1:{fake_port}",
        f"MAP *.myshopify.com:443 127.0.0.1:{fake_port}",
        f"MAP {app_host}:443 127.0.0.1:{app_port}",
    ]
    return ["--host-resolver-rules=" + ", ".join(rules)]
