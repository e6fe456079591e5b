"""Reading sealed client data on the reader's side.

The passphrase and every private key stay in this process: the service gets
public keys, wrapped keys and sealed grants only.

>>> vault = Vault(client)
>>> vault.unlock("my vault passphrase")
>>> vault.open_client(client.get("/v1/clients/42"))
{'name': '…', 'phone': '…'}
"""

from __future__ import annotations

from typing import Any

from . import sealing
from ._client import Client
from ._errors import HushbookError

PRODUCTION_LOG_N = 17


class VaultLocked(HushbookError):
    """Unlock the vault (or set it up) before opening client data."""


class Vault:
    def __init__(self, client: Client, *, log_n: int = PRODUCTION_LOG_N, min_log_n: int = 16):
        self._client = client
        self._log_n = log_n  # lower only in tests
        self._min_log_n = min_log_n
        self._tenant_key: sealing.EccKey | None = None
        self._member_key: sealing.EccKey | None = None
        self.state: dict[str, Any] = {}

    def refresh_state(self) -> dict[str, Any]:
        self.state = self._client.get("/v1/vault")
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
        self._client.request(
            "PUT", "/v1/vault/member", json={"public_key": public, "wrapped_private_key": wrapped}
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
        self._client.post("/v1/vault/setup", {"public_key": public, "owner_grant": grant})
        self._tenant_key = pair.private_key
        self.refresh_state()

    def unlock(self, passphrase: str) -> None:
        """Unwrap your member key with ``passphrase`` and open your grant, locally."""
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

    @property
    def can_read(self) -> bool:
        return self._tenant_key is not None

    def grant(self, staff_id: int) -> None:
        """Owner: seal the tenant key to a member's public key."""
        if self._tenant_key is None:
            raise VaultLocked("unlock the vault first")
        members = {m["staff_id"]: m for m in self._client.get("/v1/vault/members")}
        member = members.get(staff_id)
        if member is None or not member["public_key"]:
            raise HushbookError("that member has not enrolled a key yet")
        public = sealing.import_public_key(member["public_key"])
        sealed = sealing.seal_grant(public, self._tenant_key, self.state["tenant_id"], staff_id)
        self._client.request(
            "PUT",
            f"/v1/vault/grants/{staff_id}",
            json={"key_version": self.state["key_version"], "sealed_tenant_key": sealed},
        )

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
        for member in self._client.get("/v1/vault/members"):
            if member["granted"] and member["staff_id"] != me and member["public_key"]:
                public = sealing.import_public_key(member["public_key"])
                grants.append(
                    {
                        "staff_id": member["staff_id"],
                        "sealed_tenant_key": sealing.seal_grant(
                            public, new.private_key, tenant_id, member["staff_id"]
                        ),
                    }
                )
        self._client.post(
            "/v1/vault/rotate",
            {
                "key_version": st["key_version"] + 1,
                "public_key": sealing.b64e(sealing.export_public_key(new.public_key)),
                "grants": grants,
                "profiles": profiles,
            },
        )
        self._tenant_key = new.private_key
        self.refresh_state()

    def all_clients(self) -> list[dict[str, Any]]:
        """Every client row (sealed), page by page."""
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            batch = self._client.get("/v1/clients", params={"page": page, "page_size": 100})
            rows += batch
            if len(batch) < 100:
                return rows
            page += 1

    def revoke(self, staff_id: int) -> None:
        self._client.delete(f"/v1/vault/grants/{staff_id}")

    def seal_profile(self, profile: dict[str, str]) -> dict[str, Any]:
        """A ``sealed_profile`` + ``client_key`` body for /v1/clients (public key only)."""
        st = self.state or self.refresh_state()
        if not st.get("public_key"):
            raise VaultLocked("the vault is not set up")
        key = sealing.new_client_key()
        public = sealing.import_public_key(st["public_key"])
        return {
            "client_key": key,
            "sealed_profile": sealing.seal_profile(public, st["tenant_id"], key, profile),
        }

    def open_client(self, client_row: dict[str, Any]) -> dict[str, str]:
        """Open a client (as returned by /v1/clients or inside an appointment)."""
        if self._tenant_key is None:
            raise VaultLocked("no read grant: unlock the vault, or ask the owner for access")
        return sealing.open_profile(
            self._tenant_key,
            self.state["tenant_id"],
            client_row["client_key"],
            client_row["sealed_profile"],
        )
