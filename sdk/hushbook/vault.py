"""Reading and writing sealed client data on your side.

The passphrase and every private key stay in this process: the service gets
public keys, wrapped keys and sealed grants only.

>>> client.vault.unlock("my vault passphrase")
>>> client.clients.get(42).profile
{'name': '…', 'phone': '…'}
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from Crypto.PublicKey.ECC import EccKey

from . import sealing
from ._errors import HushbookError, PermissionDenied, VaultLocked
from ._models import VaultMember
from ._paging import ListIterator
from ._transport import Transport

__all__ = ["PRODUCTION_LOG_N", "Vault", "VaultLocked"]

PRODUCTION_LOG_N = 17
SEALING_KEY_TTL = 30.0
"""Seconds the business's public key is reused for sealing before it is read again
(after a rotation, profiles must be sealed to the new key)."""


class Vault:
    """Your member key and, with a grant, the business key, held in this process.

    ``client`` is what the vault talks to the service through: a
    :class:`hushbook.Client` (any authenticated :class:`hushbook.Transport`).
    ``log_n``/``min_log_n`` below the defaults are for tests only: unwrapping
    refuses keys below ``min_log_n`` (downgrade protection).
    """

    def __init__(
        self,
        client: Transport,
        *,
        log_n: int = PRODUCTION_LOG_N,
        min_log_n: int = sealing.MIN_LOG_N,
    ):
        self._transport = client
        self._log_n = log_n
        self._min_log_n = min_log_n
        self._tenant_key: EccKey | None = None
        self._member_key: EccKey | None = None
        self._sealing: tuple[int, EccKey, int] | None = None  # tenant id, public key, version
        self._sealing_read = 0.0
        self.state: dict[str, Any] = {}

    def refresh_state(self) -> dict[str, Any]:
        state = self._transport.get("/v1/vault")
        self.state = state if isinstance(state, dict) else {}
        return self.state

    def _context(self) -> bytes:
        return sealing.vault_context(self.state["tenant_id"], self.state["staff_id"])

    def enrol(self, passphrase: str) -> None:
        """Create your member key pair here and store it wrapped under ``passphrase``."""
        self.refresh_state()
        pair = sealing.generate_keypair()
        wrapped = sealing.wrap_private_key(
            pair.private_key,
            passphrase,
            context=self._context(),
            log_n=self._log_n,
            min_log_n=self._min_log_n,
        )
        public = sealing.b64e(sealing.export_public_key(pair.public_key))
        self._transport.request(
            "PUT",
            "/v1/vault/member",
            json={"public_key": public, "wrapped_private_key": dict(wrapped)},
        )
        self._member_key = pair.private_key
        self._tenant_key = None
        self.refresh_state()

    def setup(self) -> None:
        """Owner, once: create the tenant key pair here, keep only a grant to yourself."""
        if self._member_key is None:
            raise VaultLocked("enrol (or unlock) your member key first")
        pair = sealing.generate_keypair()
        st = self.state
        grant = sealing.seal_grant(
            self._member_key.public_key(), pair.private_key, st["tenant_id"], st["staff_id"]
        )
        public = sealing.b64e(sealing.export_public_key(pair.public_key))
        self._transport.post("/v1/vault/setup", {"public_key": public, "owner_grant": grant})
        self._tenant_key = pair.private_key
        self._sealing = None
        self.refresh_state()

    def unlock(self, passphrase: str) -> None:
        """Unwrap your member key with ``passphrase`` and open your grant, locally.

        :class:`hushbook.sealing.SealError` on a wrong passphrase. Without a
        grant ``can_read`` stays False (you can still seal new profiles).
        """
        st = self.refresh_state()
        if not st.get("member"):
            raise VaultLocked("no member key enrolled")
        self._member_key = sealing.unwrap_private_key(
            st["member"]["wrapped_private_key"],
            passphrase,
            context=self._context(),
            min_log_n=self._min_log_n,
        )
        grant = st.get("grant")
        self._tenant_key = (
            sealing.open_grant(
                self._member_key, grant["sealed_tenant_key"], st["tenant_id"], st["staff_id"]
            )
            if grant
            else None
        )

    def lock(self) -> None:
        """Forget the keys held in this process."""
        self._member_key = None
        self._tenant_key = None

    @property
    def can_read(self) -> bool:
        return self._tenant_key is not None

    def members(self) -> list[VaultMember]:
        """Owner: active team members with their enrolled public keys and grant state."""
        rows = self._transport.get("/v1/vault/members")
        return [VaultMember.from_json(row) for row in rows or []]

    def grant(self, staff_id: int) -> None:
        """Owner: seal the tenant key to a member's public key."""
        if self._tenant_key is None:
            raise VaultLocked("unlock the vault first")
        member = next((m for m in self.members() if m.staff_id == staff_id), None)
        if member is None or not member.public_key:
            raise HushbookError("that member has not enrolled a key yet")
        public = sealing.import_public_key(member.public_key)
        sealed = sealing.seal_grant(public, self._tenant_key, self.state["tenant_id"], staff_id)
        self._transport.request(
            "PUT",
            f"/v1/vault/grants/{staff_id}",
            json={"key_version": self.state["key_version"], "sealed_tenant_key": sealed},
        )

    def revoke(self, staff_id: int) -> None:
        self._transport.delete(f"/v1/vault/grants/{staff_id}")

    def rotate(self) -> None:
        """Owner: a new tenant key. Every client is opened and re-sealed here, and
        every member who has access now gets a grant for the new key."""
        if self._tenant_key is None or self._member_key is None:
            raise VaultLocked("unlock the vault first")
        st = self.refresh_state()
        tenant_id, me = st["tenant_id"], st["staff_id"]
        new = sealing.generate_keypair()
        profiles = []
        for row in self.all_clients():
            if not row["sealed_profile"]:
                continue
            plain = self.open_client(row)
            key = sealing.new_client_key()
            profiles.append(
                {
                    "client_id": row["id"],
                    "client_key": key,
                    "sealed_profile": sealing.seal_profile(new.public_key, tenant_id, key, plain),
                }
            )
        grants = [
            {
                "staff_id": me,
                "sealed_tenant_key": sealing.seal_grant(
                    self._member_key.public_key(), new.private_key, tenant_id, me
                ),
            }
        ]
        for member in self.members():
            if member.granted and member.staff_id != me and member.public_key:
                public = sealing.import_public_key(member.public_key)
                grants.append(
                    {
                        "staff_id": member.staff_id,
                        "sealed_tenant_key": sealing.seal_grant(
                            public, new.private_key, tenant_id, member.staff_id
                        ),
                    }
                )
        self._transport.post(
            "/v1/vault/rotate",
            {
                "key_version": st["key_version"] + 1,
                "public_key": sealing.b64e(sealing.export_public_key(new.public_key)),
                "grants": grants,
                "profiles": profiles,
            },
        )
        self._tenant_key = new.private_key
        self._sealing = None
        self.refresh_state()

    def all_clients(self) -> list[dict[str, Any]]:
        """Every client row (sealed, as the service sends it), page by page."""
        rows: ListIterator[dict[str, Any]] = ListIterator(self._transport, "/v1/clients", {}, dict)
        return list(rows)

    # --- sealing (public key only) and opening (tenant key) -----------------------------

    def _sealing_key(self) -> tuple[int, EccKey, int]:
        """Tenant id, public key and its version to seal to: from the vault, or for
        an integration key (no vault) from the business settings and its catalog."""
        if self._sealing is None or time.monotonic() - self._sealing_read > SEALING_KEY_TTL:
            try:
                st = self.refresh_state()
                tenant_id, public = st.get("tenant_id"), st.get("public_key")
                version = st.get("key_version")
            except PermissionDenied:  # integration keys have no vault
                tenant = self._transport.get("/v1/tenant")
                catalog = self._transport.get(f"/v1/public/{tenant['slug']}/catalog", auth=False)
                tenant_id, public = tenant["id"], catalog.get("public_key")
                version = catalog.get("key_version")
            if not public or not isinstance(tenant_id, int) or not isinstance(version, int):
                raise VaultLocked("the vault is not set up (no business key yet)")
            self._sealing = (tenant_id, sealing.import_public_key(public), version)
            self._sealing_read = time.monotonic()
        return self._sealing

    def forget_sealing_key(self) -> None:
        """Read the business key again before the next seal (after a rotation)."""
        self._sealing = None

    def seal_profile(self, profile: Mapping[str, str]) -> dict[str, Any]:
        """A ``sealed_profile`` + ``client_key`` + ``key_version`` body for
        ``/v1/clients`` (public key only; the service refuses a rotated-out version)."""
        tenant_id, public, version = self._sealing_key()
        key = sealing.new_client_key()
        return {
            "client_key": key,
            "sealed_profile": sealing.seal_profile(public, tenant_id, key, dict(profile)),
            "key_version": version,
        }

    def open_client(self, client_row: Mapping[str, Any]) -> dict[str, str]:
        """Open a client (as returned by /v1/clients, inside an appointment or an export)."""
        if self._tenant_key is None:
            raise VaultLocked("no read grant: unlock the vault, or ask the owner for access")
        if not client_row.get("sealed_profile") or not client_row.get("client_key"):
            raise VaultLocked("this client has no sealed profile to open (erased or redacted)")
        tenant_id = self.state.get("tenant_id")
        if not isinstance(tenant_id, int):
            tenant_id = self.refresh_state()["tenant_id"]
        return sealing.open_profile(
            self._tenant_key,
            tenant_id,
            client_row["client_key"],
            client_row["sealed_profile"],
        )
