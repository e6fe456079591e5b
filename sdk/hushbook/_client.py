"""``hushbook.Client``: a small, typed client for the staff API."""

from __future__ import annotations

from typing import Any

import requests

from ._errors import ConnectionError, error_from_response

DEFAULT_TIMEOUT = 10.0


class Client:
    """Talks to a Hushbook service with an access token or an integration key.

    >>> client = Client.login("https://book.example", "my-salon", "me@example.com", "…")
    >>> client.get("/v1/services")
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        refresh_token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.refresh_token = refresh_token
        self.timeout = timeout
        self._session = session or requests.Session()

    @classmethod
    def login(
        cls,
        base_url: str,
        tenant: str,
        email: str,
        password: str,
        totp: str | None = None,
        **kwargs: Any,
    ) -> Client:
        client = cls(base_url, **kwargs)
        body = {"tenant": tenant, "email": email, "password": password}
        if totp is not None:
            body["totp"] = totp
        pair = client.request("POST", "/v1/auth/login", json=body)
        client.token = pair["access_token"]
        client.refresh_token = pair["refresh_token"]
        return client

    def refresh(self) -> None:
        pair = self.request(
            "POST", "/v1/auth/refresh", json={"refresh_token": self.refresh_token}, auth=False
        )
        self.token = pair["access_token"]
        self.refresh_token = pair["refresh_token"]

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        sent = dict(headers or {})
        if auth and self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        try:
            resp = self._session.request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers=sent,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise ConnectionError(f"{method} {path}: {type(exc).__name__}") from exc
        body: Any = (
            resp.json()
            if resp.content and resp.headers.get("Content-Type", "").startswith("application/json")
            else None
        )
        if resp.status_code >= 400:
            raise error_from_response(resp.status_code, body or {}, dict(resp.headers))
        return body

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)
