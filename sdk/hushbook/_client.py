"""``hushbook.Client``: the staff API, one service object per resource."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

from ._errors import HushbookError
from ._models import TokenPair
from ._resources import (
    AppointmentsService,
    AuditEventsService,
    AuthService,
    AvailabilityService,
    BlockedContactsService,
    ClientsService,
    IntegrationKeysService,
    MessagesService,
    ServicesService,
    StaffService,
    TenantService,
    TimeOffService,
    WorkingHoursService,
)
from ._transport import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    Transport,
)
from .vault import Vault

__all__ = ["Client"]

REFRESH_MARGIN = 30.0
"""Seconds before an access token expires when the client refreshes it ahead."""


class Client(Transport):
    """Talks to a Hushbook service with an access token or an integration key.

    >>> client = Client.login("https://book.example", "my-salon", "me@example.com", "…")
    >>> for appointment in client.appointments.list(staff_id=3):
    ...     print(appointment.start, appointment.status)

    With a refresh token (``login`` keeps one) the access token is renewed by
    itself: ahead of its expiry, and once when the service answers ``401``.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        refresh_token: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_after: float = MAX_RETRY_AFTER,
        retry_delay: float = INITIAL_RETRY_DELAY,
        session: requests.Session | None = None,
        user_agent: str | None = None,
    ):
        super().__init__(
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            retry_delay=retry_delay,
            session=session,
            user_agent=user_agent,
        )
        self.token = token
        self.refresh_token = refresh_token
        self.password_change_required = False
        self._expires_at: float | None = None
        self._refresh_lock = threading.RLock()
        self._vault: Vault | None = None

        # The services get what they use (this client as their transport, the vault
        # as it is at each call, a sibling or two) and never import the client.
        def vault() -> Vault:
            return self.vault

        self.auth = AuthService(self, vault, keep=self._keep)
        self.tenant = TenantService(self, vault)
        self.staff = StaffService(self, vault)
        self.working_hours = WorkingHoursService(self, vault)
        self.time_off = TimeOffService(self, vault)
        self.services = ServicesService(self, vault)
        self.availability = AvailabilityService(self, vault)
        self.clients = ClientsService(self, vault)
        self.appointments = AppointmentsService(
            self, vault, tenant=self.tenant, clients=self.clients
        )
        self.messages = MessagesService(self, vault)
        self.audit_events = AuditEventsService(self, vault)
        self.integration_keys = IntegrationKeysService(self, vault)
        self.blocked_contacts = BlockedContactsService(self, vault)

    def __repr__(self) -> str:  # never the tokens
        return f"<hushbook.Client {self.base_url}>"

    @property
    def vault(self) -> Vault:
        """Your vault, bound to this client (``unlock`` it to open profiles)."""
        if self._vault is None:
            self._vault = Vault(self)
        return self._vault

    @vault.setter
    def vault(self, vault: Vault) -> None:
        self._vault = vault

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
        """Log in as a team member (``totp``: the current code, if the second factor is on)."""
        client = cls(base_url, **kwargs)
        body = {"tenant": tenant, "email": email, "password": password}
        if totp is not None:
            body["totp"] = totp
        client._keep(client.request("POST", "/v1/auth/login", json=body, auth=False))
        return client

    def _keep(self, answer: Any) -> TokenPair:
        pair = TokenPair.from_json(answer)
        self.token = pair.access_token
        self.refresh_token = pair.refresh_token
        self.password_change_required = pair.password_change_required
        self._expires_at = (
            time.monotonic() + pair.expires_in if pair.expires_in is not None else None
        )
        return pair

    def refresh(self) -> TokenPair:
        """Exchange the refresh token for a new pair (never retried: a refresh
        token is spent on first use, and presenting it twice revokes the family)."""
        if not self.refresh_token:
            raise HushbookError("no refresh token: log in first")
        with self._refresh_lock:
            answer = self.send(
                "POST",
                "/v1/auth/refresh",
                json={"refresh_token": self.refresh_token},
                auth=False,
                max_retries=0,
            ).body
            return self._keep(answer)

    def logout(self) -> None:
        """Revoke the refresh token (and everything rotated from it)."""
        if self.refresh_token:
            self.send(
                "POST", "/v1/auth/logout", json={"refresh_token": self.refresh_token}, auth=False
            )
        self.token = self.refresh_token = None
        self._expires_at = None

    # --- Transport hooks ------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _before_send(self) -> None:
        expires = self._expires_at
        if (
            expires is not None
            and self.refresh_token
            and time.monotonic() > expires - REFRESH_MARGIN
        ):
            self._refresh_if_unchanged(self.token)

    def _after_unauthorized(self, error: HushbookError, sent_auth: dict[str, str]) -> bool:
        # Only a plain "invalid or expired token": a reason (bad_credentials,
        # refresh_reuse, totp_required) means a new token would not help.
        if error.reason or not self.refresh_token:
            return False
        used = sent_auth.get("Authorization", "").removeprefix("Bearer ")
        self._refresh_if_unchanged(used)
        return True

    def _refresh_if_unchanged(self, used: str | None) -> None:
        """Refresh, unless another thread did since ``used`` was sent."""
        with self._refresh_lock:
            if self.token == used:
                self.refresh()
