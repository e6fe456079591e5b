"""Vault rules: who holds which wrapped or sealed key (DESIGN §5).

The service stores public keys, member private keys wrapped under passphrases
it never sees, and the tenant private key sealed to each granted member's
public key. It can check shapes, never open anything.
"""

from __future__ import annotations

import json

from hushbook import sealing

from . import audit
from .db import lock_row, utcnow, write_transaction
from .errors import abort, field_error
from .models import Staff, Tenant, VaultGrant, VaultMember


def _public_key(text: str, field: str) -> str:
    try:
        sealing.import_public_key(text)
    except (ValueError, TypeError):
        field_error(field, "Not an X25519 public key (32 bytes, base64url).")
    return text


def view(me: Staff, tenant: Tenant) -> dict:
    member = VaultMember.get_or_none(VaultMember.tenant == tenant.id, VaultMember.staff == me.id)
    grant = VaultGrant.get_or_none(
        VaultGrant.tenant == tenant.id,
        VaultGrant.staff == me.id,
        VaultGrant.key_version == tenant.key_version,
    )
    return {
        "tenant_id": tenant.id,
        "staff_id": me.id,
        "public_key": tenant.public_key,
        "key_version": tenant.key_version,
        "member": None
        if member is None
        else {
            "public_key": member.public_key,
            "wrapped_private_key": json.loads(member.wrapped_private_key),
        },
        "grant": grant,
    }


def enrol(me: Staff, public_key: str, wrapped: dict) -> None:
    """A member's own key pair. Replacing it drops the member's grants (sealed to the old key)."""
    if me.role == "accountant":
        abort(403, "Accountants never read client identities.", reason="accountant_never")
    _public_key(public_key, "public_key")
    with write_transaction():
        drop_access(me, also_member_key=True)
        VaultMember.create(
            tenant=me.tenant_id,
            staff=me.id,
            public_key=public_key,
            wrapped_private_key=json.dumps(wrapped, sort_keys=True),
            updated_at=utcnow(),
        )
        audit.record(me.tenant_id, "vault.enrol", "staff", me.id)


def setup(owner: Staff, tenant: Tenant, public_key: str, owner_grant: str) -> None:
    """The owner's side created the tenant key pair; store its public half and
    the owner's own grant. Only once: later changes are rotations."""
    _public_key(public_key, "public_key")
    with write_transaction():
        lock_row(Tenant, tenant.id)
        tenant = Tenant.get_by_id(tenant.id)
        if tenant.public_key:
            abort(
                409, "The vault is set up already; rotate the key instead.", reason="vault_exists"
            )
        if not VaultMember.select().where(VaultMember.staff == owner.id).exists():
            abort(409, "Enrol your own member key first.", reason="member_key_missing")
        tenant.public_key = public_key
        tenant.key_version = 1
        tenant.save()
        VaultGrant.create(
            tenant=tenant.id,
            staff=owner.id,
            key_version=1,
            sealed_tenant_key=owner_grant,
            granted_by=owner.id,
        )
        audit.record(tenant.id, "vault.setup", "tenant", tenant.id, key_version=1)


def setup_locally(
    tenant: Tenant, owner: Staff, passphrase: str, *, log_n: int = 17, min_log_n: int = 16
) -> sealing.EccKey:
    """The owner's side of enrol + setup, for the command line (``hushbook demo``)
    where the operator *is* the owner. Never reached from the HTTP API: there the
    SDK does this on the member's machine. Returns the tenant private key."""
    member = sealing.generate_keypair()
    wrapped = sealing.wrap_private_key(
        member.private_key,
        passphrase,
        context=sealing.vault_context(tenant.id, owner.id),
        log_n=log_n,
        min_log_n=min_log_n,
    )
    tenant_pair = sealing.generate_keypair()
    with write_transaction():
        VaultMember.create(
            tenant=tenant.id,
            staff=owner.id,
            wrapped_private_key=json.dumps(wrapped),
            public_key=sealing.b64e(sealing.export_public_key(member.public_key)),
        )
        tenant.public_key = sealing.b64e(sealing.export_public_key(tenant_pair.public_key))
        tenant.key_version = 1
        tenant.save()
        VaultGrant.create(
            tenant=tenant.id,
            staff=owner.id,
            key_version=1,
            granted_by=owner.id,
            sealed_tenant_key=sealing.seal_grant(
                member.public_key, tenant_pair.private_key, tenant.id, owner.id
            ),
        )
        audit.record(tenant.id, "vault.setup", "tenant", tenant.id, key_version=1)
    return tenant_pair.private_key


def grant(owner: Staff, tenant: Tenant, member: Staff, key_version: int, sealed: str) -> VaultGrant:
    if member.role == "accountant":
        abort(403, "Accountants never read client identities.", reason="accountant_never")
    if not member.active:
        field_error("staff_id", "This account is deactivated.")
    if key_version != tenant.key_version or not tenant.public_key:
        abort(409, "Seal the current tenant key.", reason="stale_key_version")
    with write_transaction():
        if not VaultMember.select().where(VaultMember.staff == member.id).exists():
            abort(409, "This member has not enrolled a key yet.", reason="member_key_missing")
        VaultGrant.delete().where(
            VaultGrant.staff == member.id, VaultGrant.key_version == key_version
        ).execute()
        row = VaultGrant.create(
            tenant=tenant.id,
            staff=member.id,
            key_version=key_version,
            sealed_tenant_key=sealed,
            granted_by=owner.id,
        )
        audit.record(tenant.id, "vault.grant", "staff", member.id, key_version=key_version)
    return row


def revoke(member: Staff) -> int:
    with write_transaction():
        gone = drop_access(member)
        audit.record(member.tenant_id, "vault.revoke", "staff", member.id)
    return gone


def drop_access(member: Staff, also_member_key: bool = False) -> int:
    """Delete every grant of ``member`` (and its member key): revocation by deletion."""
    gone = (
        VaultGrant.delete()
        .where(VaultGrant.tenant == member.tenant_id, VaultGrant.staff == member.id)
        .execute()
    )
    if also_member_key:
        VaultMember.delete().where(
            VaultMember.tenant == member.tenant_id, VaultMember.staff == member.id
        ).execute()
    return gone
