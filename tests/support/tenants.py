"""Tenants as the suites need them: an owner logged in (password set, vault set up
at test cost) and, on demand, team members of any role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from hushbook import sealing
from hushbook_service.accounts.logins import issue_pair
from hushbook_service.accounts.passwords import hash_password
from hushbook_service.accounts.tenants import create_tenant
from hushbook_service.db import database
from hushbook_service.models import Staff

from .config import PASSWORD, SCRYPT_LOG_N, VAULT_LOG_N


@dataclass
class Member:
    staff: Staff
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class TenantFixture:
    tenant: object
    owner: Member
    app: object
    members: dict[str, Member] = field(default_factory=dict)
    tenant_key: object = None  # the private key, as only the owner's side holds it

    def open(self, client_row: dict) -> dict:
        """Open a sealed client as a granted reader would (locally)."""
        return sealing.open_profile(
            self.tenant_key, self.tenant.id, client_row["client_key"], client_row["sealed_profile"]
        )

    def member(self, role: str, name: str | None = None) -> Member:
        """A logged-in team member with ``role`` (password already set)."""
        name = name or f"{role}{len(self.members)}"
        with self.app.app_context(), database.connection_context():
            staff = Staff.create(
                tenant=self.tenant.id,
                email=f"{name}@{self.tenant.slug}.test",
                display_name=name.title(),
                role=role,
                password_hash=hash_password(PASSWORD, SCRYPT_LOG_N),
                must_change_password=False,
            )
            pair = issue_pair(staff, family=secrets.token_hex(8))
        self.members[name] = Member(staff, pair.access_token, pair.refresh_token)
        return self.members[name]


def vault_passphrase(staff) -> str:
    return f"passphrase of {staff.email}"


def setup_vault(tenant, owner):
    """What the owner's SDK does (enrol + setup), at test cost."""
    from hushbook_service.privacy.vault import setup_locally

    return setup_locally(
        tenant, owner, vault_passphrase(owner), log_n=VAULT_LOG_N, min_log_n=VAULT_LOG_N
    )


def new_tenant(
    app, slug: str = "salon-a", timezone: str = "Europe/Berlin", vault: bool = True
) -> TenantFixture:
    """A tenant with its owner logged in (``PASSWORD``) and, by default, a vault."""
    with app.app_context(), database.connection_context():
        tenant, owner, _ = create_tenant(
            slug,
            f"Salon {slug}",
            f"owner@{slug}.test",
            timezone=timezone,
            scrypt_log_n=SCRYPT_LOG_N,
        )
        owner.password_hash = hash_password(PASSWORD, SCRYPT_LOG_N)
        owner.must_change_password = False
        owner.save()
        pair = issue_pair(owner, family=secrets.token_hex(8))
        tenant_key = setup_vault(tenant, owner) if vault else None
    fx = TenantFixture(tenant, Member(owner, pair.access_token, pair.refresh_token), app)
    fx.tenant_key = tenant_key
    return fx
