"""HTTP with default timeouts, retries (backoff and jitter) and idempotency keys.

What is retried, at most ``max_retries`` times:

* a dropped or refused connection and a timeout, for idempotent requests;
* ``429 Too Many Requests``, for every request (the service did not act);
* ``500``, ``502``, ``503``, ``504``, for idempotent requests;
* ``409`` with ``reason: idempotency_in_progress`` (the first try still runs).

Idempotent means GET, HEAD, PUT, DELETE, OPTIONS, or an authenticated POST
carrying an ``Idempotency-Key`` to a route where the service honours it (under
``/v1/``, except ``/v1/auth/…`` and ``/v1/public/…``). :class:`hushbook.Client`
puts a fresh key on every such POST and sends the same key on each retry, so
the service replays the first answer instead of acting twice. A ``Retry-After`` header
(429, 503, 409 in progress) is honoured when it is at most
``max_retry_after`` seconds; a longer wait is the caller's decision, so the
error is raised at once. Other 4xx answers are never retried.
"""

from __future__ import annotations

import json as jsonlib
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from ._errors import (
    ConnectionError,
    HushbookError,
    error_from_response,
    parse_retry_after,
)

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "Response",
    "Transport",
]

VERSION = "0.1.0"
DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for the connection and for each read of the answer."""
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 30.0
"""The longest ``Retry-After`` the SDK waits for by itself."""

# No answer, or half of one: worth another try. (A malformed URL is not.)
_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass
class Response:
    """One answer: status, headers and the decoded JSON body (``None`` if empty)."""

    status: int
    headers: Mapping[str, str]
    body: Any
    method: str = ""
    url: str = ""
    attempts: int = 1
    elapsed: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")

    @property
    def replayed(self) -> bool:
        """The service replayed the stored answer to an earlier try (same key)."""
        return self.headers.get("Idempotent-Replayed", "").lower() == "true"

    @property
    def pagination(self) -> dict[str, Any]:
        raw = self.headers.get("X-Pagination")
        if not raw:
            return {}
        try:
            value = jsonlib.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


_NOT_IDEMPOTENT_PREFIXES = ("/v1/auth/", "/v1/public/")


def honours_idempotency_key(path: str) -> bool:
    """Whether the service keeps ``Idempotency-Key`` answers for POSTs to ``path``:
    authenticated POSTs under ``/v1/``, except login/tokens and the public surface."""
    return path.startswith("/v1/") and not path.startswith(_NOT_IDEMPOTENT_PREFIXES)


class Transport:
    """Sends requests to one base URL; :class:`hushbook.Client` adds authentication."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_after: float = MAX_RETRY_AFTER,
        retry_delay: float = INITIAL_RETRY_DELAY,
        session: requests.Session | None = None,
        user_agent: str | None = None,
    ):
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.retry_delay = retry_delay
        self._session = session or requests.Session()
        self.user_agent = user_agent or f"hushbook-python/{VERSION}"
        self.last_response: Response | None = None
        self._sleep: Callable[[float], None] = time.sleep

    # --- hooks for subclasses ---------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        return {}

    def _before_send(self) -> None:
        """Called before every attempt (the client refreshes a token about to expire)."""

    def _after_unauthorized(self, error: HushbookError, sent_auth: dict[str, str]) -> bool:
        """A 401 came back: return True to send the request once more."""
        return False

    # --- sending ----------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        idempotent: bool | None = None,
    ) -> Response:
        """Send with retries; the :class:`Response`, or the mapped error raised.

        ``idempotent=True`` marks a request safe to repeat whatever its method
        (so dropped connections and 5xx are retried); by default GET, HEAD, PUT,
        DELETE, OPTIONS and POSTs with an ``Idempotency-Key`` the service honours are.
        """
        method = method.upper()
        base_headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        base_headers.update(headers or {})
        auto_key = False
        authorized = bool(auth and self._auth_headers()) or any(
            k.lower() == "authorization" for k in base_headers
        )
        if idempotency_key is not None:
            base_headers["Idempotency-Key"] = idempotency_key
        elif (
            method == "POST"
            and authorized
            and honours_idempotency_key(path)
            and not any(k.lower() == "idempotency-key" for k in base_headers)
        ):
            base_headers["Idempotency-Key"] = new_idempotency_key()
            auto_key = True
        # A key counts only where the service honours it (authenticated POSTs under
        # /v1 but the auth and public routes): elsewhere a repeat would act twice.
        keyed = (
            method == "POST"
            and authorized
            and honours_idempotency_key(path)
            and any(k.lower() == "idempotency-key" for k in base_headers)
        )
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS or keyed
        retries = self.max_retries if max_retries is None else max_retries
        url = self.base_url + path
        query = _query(params)
        attempt = 0
        reauthorized = False
        started = time.monotonic()
        while True:
            if auth:
                self._before_send()
            auth_headers = self._auth_headers() if auth else {}
            sent = {**base_headers, **auth_headers}
            try:
                raw = self._session.request(
                    method, url, json=json, params=query, headers=sent, timeout=self.timeout
                )
            except requests.RequestException as exc:
                if idempotent and attempt < retries and isinstance(exc, _TRANSIENT):
                    self._sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise ConnectionError(
                    f"{method} {path}: {type(exc).__name__} after {attempt + 1} attempt(s)"
                ) from exc
            response = Response(
                status=raw.status_code,
                headers=raw.headers,
                body=_decode(raw),
                method=method,
                url=url,
                attempts=attempt + 1,
                elapsed=time.monotonic() - started,
            )
            self.last_response = response
            if response.status < 400:
                return response
            body = response.body if isinstance(response.body, dict) else None
            error = error_from_response(response.status, body, raw.headers)
            error.response = response
            if response.status == 401 and auth and auth_headers and not reauthorized:
                reauthorized = True
                if self._after_unauthorized(error, auth_headers):
                    if auto_key:  # the 401 was never stored: a new key is the honest one
                        base_headers["Idempotency-Key"] = new_idempotency_key()
                    continue
            delay = self._retry_delay(error, idempotent, attempt, retries)
            if delay is None:
                raise error
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: 50-100 % of ``retry_delay * 2**attempt``."""
        ceiling = min(MAX_RETRY_DELAY, self.retry_delay * (2.0**attempt))
        return ceiling * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret

    def _retry_delay(
        self, error: HushbookError, idempotent: bool, attempt: int, retries: int
    ) -> float | None:
        """Seconds to wait before the next try, or ``None`` to raise ``error`` now."""
        if attempt >= retries or error.status is None:
            return None
        status = error.status
        in_progress = status == 409 and error.reason == "idempotency_in_progress"
        if status == 429 or in_progress or (status in RETRY_STATUSES and idempotent):
            wanted = parse_retry_after(error.headers.get("Retry-After"))
            if wanted is None:
                return self._backoff(attempt)
            if wanted > self.max_retry_after:
                return None  # a long wait is the caller's call
            return wanted + random.random() * min(0.1, self.retry_delay)  # noqa: S311
        return None

    # --- the classic helpers: the decoded body only -------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        idempotency_key: str | None = None,
    ) -> Any:
        """The decoded JSON body of the answer (``None`` when empty)."""
        return self.send(
            method,
            path,
            json=json,
            params=params,
            headers=headers,
            auth=auth,
            idempotency_key=idempotency_key,
        ).body

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def close(self) -> None:
        self._session.close()


def _decode(raw: requests.Response) -> Any:
    if not raw.content:
        return None
    if "json" not in raw.headers.get("Content-Type", ""):
        return None
    try:
        return raw.json()
    except ValueError:
        return None


def _query(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop ``None`` values; booleans as ``true``/``false`` (as the service reads them)."""
    if not params:
        return None
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = value
    return out
