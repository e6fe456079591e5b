"""Requests to a shop's Hushbook service (over HTTP only: this app imports no
service code). The integration key goes only to the service URL the merchant
saved: no redirect is followed, at most 1 MiB of answer is read, and nothing of
a request or an answer is stored or logged.

A multi-tenant server that calls addresses typed in by merchants must not become
a way into the operator's own network: unless the operator allows it
(``HUSHBOOK_SHOPIFY_ALLOW_PRIVATE_SERVICES=1``, for development and tests), a
service whose name resolves to a loopback, private, link-local or otherwise
non-public address is not called.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import requests

from hushbook_shopify.config import __version__

MAX_ANSWER = 1024 * 1024
USER_AGENT = f"Hushbook-Shopify/{__version__}"
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
LANGUAGE_RE = re.compile(r"^[A-Za-z0-9*,;=. -]+$")
VISITOR_IP_HEADER = "Hushbook-Visitor-IP"


class Unreachable(Exception):
    """No usable answer: the reason is technical and safe to show the merchant."""


class PrivateAddress(Unreachable):
    pass


class TooLarge(Unreachable):
    """An answer over 1 MiB: not what a Hushbook service sends."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = field(repr=False)
    headers: dict[str, str]

    def json(self):
        import json

        return json.loads(self.body)


def clean_url(url: str) -> str:
    """A service base URL without trailing slash, or '' when not acceptable:
    http or https, a host, no user name or password, no query or fragment."""
    url = (url or "").strip()
    if len(url) > 500 or any(c.isspace() for c in url):
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    if parts.username or parts.password or parts.query or parts.fragment or "@" in parts.netloc:
        return ""
    del port
    return url.rstrip("/")


def clean_language(value: str | None) -> str:
    value = (value or "").strip()
    return value if len(value) <= 200 and LANGUAGE_RE.match(value) else ""


def public_path(slug: str, route: str) -> str:
    if route == "confirm":
        return "/v1/public/bookings/confirm"
    return f"/v1/public/{quote(slug, safe='')}/{route}"


def _check_address(url: str, allow_private: bool) -> None:
    if allow_private:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unreachable(f"the name {host} does not resolve") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise PrivateAddress(f"{host} is not a public address")


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    key: str | None = None,
    body: bytes | None = None,
    visitor_ip: str | None = None,
    language: str = "",
    timeout: float = 10,
    allow_private: bool = False,
) -> Answer:
    """One request to ``base_url + path``; :class:`Unreachable` when there is no answer."""
    url = base_url + path
    _check_address(url, allow_private)
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    if visitor_ip is not None:
        headers[VISITOR_IP_HEADER] = visitor_ip
    if language:
        headers["Accept-Language"] = language
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        with requests.request(
            method,
            url,
            data=body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        ) as response:
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_ANSWER:
                    raise TooLarge("the answer is larger than 1 MiB")
                chunks.append(chunk)
            return Answer(response.status_code, b"".join(chunks), dict(response.headers))
    except requests.Timeout as exc:
        raise Unreachable(f"no answer within {timeout:g} s") from exc
    except requests.RequestException as exc:
        raise Unreachable(type(exc).__name__) from exc
