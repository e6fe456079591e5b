"""A business's team accounts over their life: invite, change, deactivate,
reactivate — and who may grant which role.

Rules: only a person (never an integration key) creates accounts or grants
roles; only an owner grants ``owner`` or ``manager``; a business always keeps
one active owner; a role change or deactivation revokes every token at once,
and an account that leaves (or becomes ``accountant``) loses its vault access.
"""

from __future__ import annotations

from flask import current_app

from hushbook_service import audit
from hushbook_service.accounts import logins, passwords
from hushbook_service.accounts.principals import Principal
from hushbook_service.db import lock_row, utcnow, write_transaction
from hushbook_service.errors import abort
from hushbook_service.models import Staff, Tenant, bump_tenant_version
from hushbook_service.privacy import vault

PRIVILEGED_ROLES = ("owner", "manager")


def check_may_grant(actor: Principal, role: str) -> None:
    if actor.staff_id is None:
        # A key that could mint accounts would turn staff:write into every right.
        abort(403, "Only a person can create accounts or grant roles.", reason="person_required")
    if role in PRIVILEGED_ROLES and actor.role != "owner":
        abort(403, "Only an owner can grant the owner or manager role.")


def _keep_an_owner(staff: Staff) -> None:
    """409 if ``staff`` is the last active owner. Call inside write_transaction():
    the tenant row lock stops two owners from removing each other at once."""
    lock_row(Tenant, staff.tenant_id)
    owners = Staff.select().where(
        Staff.tenant == staff.tenant_id, Staff.role == "owner", Staff.active == True
    )
    if staff.role == "owner" and not owners.where(Staff.id != staff.id).exists():
        abort(409, "The business needs at least one active owner.", reason="last_owner")


def _new_password() -> tuple[str, str]:
    secret = passwords.one_time_password()
    return secret, passwords.hash_password(secret, current_app.config["HUSHBOOK"].scrypt_log_n)


def invite(actor: Principal, data: dict) -> tuple[Staff, str]:
    """A new account and its one-time password (shown once, changed at first login)."""
    check_may_grant(actor, data["role"])
    email = data["email"].lower()
    taken = Staff.select().where(Staff.tenant == actor.tenant_id, Staff.email == email)
    if taken.exists():
        abort(409, "A team member with this e-mail exists.", reason="email_taken")
    secret, password_hash = _new_password()
    with write_transaction():
        bump_tenant_version(actor.tenant_id)
        staff = Staff.create(
            tenant=actor.tenant_id,
            email=email,
            display_name=data["display_name"],
            public_name=data.get("public_name"),
            role=data["role"],
            bookable=data["bookable"],
            notify_bookings=data.get("notify_bookings", True),
            password_hash=password_hash,
            must_change_password=True,
        )
        audit.record(staff.tenant_id, "staff.create", "staff", staff.id, role=staff.role)
    return staff, secret


def update(actor: Principal, staff: Staff, data: dict) -> Staff:
    """Change name, role, bookability or the booking e-mails; a role change revokes
    the member's tokens."""
    role_changed = "role" in data and data["role"] != staff.role
    if role_changed or staff.role in PRIVILEGED_ROLES:
        check_may_grant(actor, "owner" if staff.role in PRIVILEGED_ROLES else data["role"])
    with write_transaction():
        bump_tenant_version(staff.tenant_id)
        if role_changed:
            _keep_an_owner(staff)
        for key, value in data.items():
            setattr(staff, key, value)
        staff.updated_at = utcnow()
        staff.save()
        if role_changed:
            logins.revoke_all_tokens(staff)
            if staff.role == "accountant":
                vault.drop_access(staff, also_member_key=True)
            audit.record(staff.tenant_id, "staff.role_change", "staff", staff.id, role=staff.role)
        else:
            audit.record(staff.tenant_id, "staff.update", "staff", staff.id, fields=sorted(data))
    return staff


def set_own_notifications(staff: Staff, notify_bookings: bool) -> Staff:
    """A team member turns their own booking e-mails on or off (any role)."""
    with write_transaction():
        staff.notify_bookings = notify_bookings
        staff.updated_at = utcnow()
        staff.save(only=[Staff.notify_bookings, Staff.updated_at])
        audit.record(staff.tenant_id, "staff.update", "staff", staff.id, fields=["notify_bookings"])
    return staff


def deactivate(actor: Principal, staff: Staff) -> Staff:
    """Every token the account holds stops working at once; its grants go with it."""
    if staff.role in PRIVILEGED_ROLES:
        check_may_grant(actor, "owner")
    with write_transaction():
        bump_tenant_version(staff.tenant_id)
        _keep_an_owner(staff)
        staff.active = False
        staff.updated_at = utcnow()
        staff.save()
        logins.revoke_all_tokens(staff)
        vault.drop_access(staff, also_member_key=True)
        audit.record(staff.tenant_id, "staff.deactivate", "staff", staff.id)
    return staff


def reactivate(actor: Principal, staff: Staff) -> str:
    """Back in, with a fresh one-time password (returned, shown once)."""
    check_may_grant(actor, staff.role)
    if staff.active:
        abort(409, "This account is active.", reason="already_active")
    secret, password_hash = _new_password()
    with write_transaction():
        bump_tenant_version(staff.tenant_id)
        logins.revoke_all_tokens(staff)
        staff.active = True
        staff.must_change_password = True
        staff.password_hash = password_hash
        staff.updated_at = utcnow()
        staff.save()
        audit.record(staff.tenant_id, "staff.reactivate", "staff", staff.id)
    return secret
