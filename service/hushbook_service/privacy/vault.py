"""Vault rules: who holds which wrapped or sealed key (docs/threat-model.md).

The service stores public keys, member private keys wrapped under passphrases
it never sees, and the tenant private key sealed to each granted member's
public key. It can check shapes, never open anything.
"""

from __future__ import annotations

import json

from hushbook import sealing
from hushbook_service import audit
from hushbook_service.db import lock_row, utcnow, write_transaction
from hushbook_service.errors import abort, field_error
from hushbook_service.models import Staff, Tenant, VaultGrant, VaultMember, bump_tenant_version


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
        bump_tenant_version(tenant.id)  # the catalog's public_key
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
    enrol(owner, sealing.b64e(sealing.export_public_key(member.public_key)), dict(wrapped))
    tenant_pair = sealing.generate_keypair()
    setup(
        owner,
        tenant,
        sealing.b64e(sealing.export_public_key(tenant_pair.public_key)),
        sealing.seal_grant(member.public_key, tenant_pair.private_key, tenant.id, owner.id),
    )
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


def rotate(
    owner: Staff,
    tenant: Tenant,
    key_version: int,
    public_key: str,
    grants: dict[int, str],
    profiles: dict[int, tuple[str, dict[str, str]]],
) -> None:
    """Switch to a new tenant key, all at once: the owner's side re-sealed every
    client profile and sealed the new key to every member who keeps access.
    Anything not re-sealed would become unreadable, so the set must be complete."""
    from hushbook_service.models import Client
    from hushbook_service.privacy import profiles as client_profiles

    _public_key(public_key, "public_key")
    with write_transaction():
        lock_row(Tenant, tenant.id)
        tenant = Tenant.get_by_id(tenant.id)
        own = Staff.select(Staff.id).where(Staff.tenant == tenant.id, Staff.id.in_(list(grants)))
        if {row.id for row in own} != set(grants):
            field_error("grants", "Unknown team member.")
        if not tenant.public_key or key_version != tenant.key_version + 1:
            abort(409, "Rotate from the current key version.", reason="stale_key_version")
        members = {
            m.staff_id: m.staff.role
            for m in VaultMember.select()
            .join(Staff)
            .where(VaultMember.tenant == tenant.id, Staff.active == True)
        }
        for staff_id in grants:
            if members.get(staff_id) in (None, "accountant"):
                field_error("grants", f"Member {staff_id} has no key or may not read clients.")
        if owner.id not in grants:
            field_error("grants", "Include your own grant, or you lock yourself out.")
        sealed_clients = Client.select(Client.id).where(
            Client.tenant == tenant.id, Client.profile.is_null(False)
        )
        if {c.id for c in sealed_clients} != set(profiles):
            abort(
                409, "The client book changed meanwhile; fetch it again.", reason="clients_changed"
            )
        VaultGrant.delete().where(VaultGrant.tenant == tenant.id).execute()
        for staff_id, sealed in grants.items():
            VaultGrant.create(
                tenant=tenant.id,
                staff=staff_id,
                key_version=key_version,
                sealed_tenant_key=sealed,
                granted_by=owner.id,
            )
        for client in Client.select().where(Client.id.in_(list(profiles))):
            client.client_key, sealed_profile = profiles[client.id]
            client_profiles.store_sealed(client, sealed_profile)
            client.save()
        tenant.public_key = public_key
        tenant.key_version = key_version
        tenant.save()
        bump_tenant_version(tenant.id)  # the catalog's public_key
        audit.record(
            tenant.id,
            "vault.rotate",
            "tenant",
            tenant.id,
            key_version=key_version,
            clients=len(profiles),
            grants=len(grants),
        )


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
