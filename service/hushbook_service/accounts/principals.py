"""Who is calling, and what they may do: the one home of role checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request

from hushbook_service.accounts.tokens import KeyRing, TokenError
from hushbook_service.db import prepared_rows, utcnow
from hushbook_service.errors import abort
from hushbook_service.models import IntegrationKey, Staff, Tenant

PERMISSIONS = (
    "tenant:read",
    "tenant:write",
    "staff:read",
    "staff:write",
    "services:read",
    "services:write",
    "schedules:read",
    "schedules:write",
    "appointments:read",  # all appointments of the tenant
    "appointments:read_own",  # only the caller's own appointments
    "appointments:write",
    "clients:read",
    "clients:write",
    "clients:identity",  # may see who a client is (never the accountant)
    "integration_keys:manage",
    "audit:read",
    "vault:manage",  # grant and revoke reading of sealed client data
    "vault:own",  # hold a member key (everyone who may ever read clients)
    "auth:totp",  # set up, enable and disable one's own second factor
    "tenant:security",  # security settings of the business (require_totp)
    "public:forward",  # a plugin forwarding its visitors to the public booking API
)
_READ_ALL = {"tenant:read", "staff:read", "services:read", "schedules:read"}

OWNER_ONLY = {"integration_keys:manage", "audit:read", "vault:manage", "tenant:security"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset(PERMISSIONS),
    "manager": frozenset(set(PERMISSIONS) - OWNER_ONLY),
    "reception": frozenset(
        _READ_ALL
        | {"appointments:read", "appointments:write", "clients:read", "clients:write"}
        | {"clients:identity", "vault:own"}
    ),
    "staff": frozenset(_READ_ALL | {"appointments:read_own", "clients:identity", "vault:own"}),
    "accountant": frozenset(_READ_ALL | {"appointments:read"}),
}
# Never delegated to a key: the owner's own powers, and
# ``appointments:read_own``, ``auth:totp`` and ``vault:own`` (which mean
# nothing without a person behind them).
NOT_GRANTABLE = (*sorted(OWNER_ONLY), "appointments:read_own", "auth:totp", "vault:own")
GRANTABLE_SCOPES = tuple(p for p in PERMISSIONS if p not in NOT_GRANTABLE)
# What an account that must set up its second factor may do meanwhile (besides
# changing its password, which /v1/auth/password checks itself).
TOTP_SETUP_PERMISSIONS = frozenset({"auth:totp"})


@dataclass(frozen=True)
class Principal:
    tenant_id: int
    role: str  # a staff role, or "integration"
    permissions: frozenset[str]
    staff_id: int | None = None
    key_id: int | None = None
    password_change_required: bool = False
    totp_setup_required: bool = False

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def key_ring() -> KeyRing:
    return current_app.extensions["hushbook_keys"]


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        abort(401, "Authentication required.", headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def _second_factor_missing(role: str, totp_enabled: bool, required: bool) -> bool:
    """The business requires a second factor of this role, and it is not on yet."""
    return required and not totp_enabled and "auth:totp" in ROLE_PERMISSIONS.get(role, ())


def totp_setup_required(staff: Staff) -> bool:
    if staff.totp_enabled or "auth:totp" not in ROLE_PERMISSIONS.get(staff.role, ()):
        return False  # no query needed
    required = Tenant.select(Tenant.require_totp).where(Tenant.id == staff.tenant_id).scalar()
    return _second_factor_missing(staff.role, staff.totp_enabled, bool(required))


def _staff_state(staff_id: int, tenant_id: int) -> tuple | None:
    """What a request needs of its team member (never the password hash or the
    TOTP secret), and the business's second-factor rule, in one prebuilt query."""
    rows = prepared_rows(
        "principals.staff_state",
        lambda: (
            Staff.select(
                Staff.role,
                Staff.active,
                Staff.token_version,
                Staff.must_change_password,
                Staff.totp_enabled,
                Tenant.require_totp,
            )
            .join(Tenant, on=(Staff.tenant == Tenant.id))
            .where(Staff.id == staff_id, Staff.tenant == tenant_id)
        ),
        [staff_id, tenant_id],
    )
    return rows[0] if rows else None


def _principal_from_access(claims: dict) -> Principal | None:
    staff_id, tenant_id = int(claims["sub"]), claims["tid"]
    if type(tenant_id) is not int:
        return None
    row = _staff_state(staff_id, tenant_id)
    if row is None:
        return None
    role, active, version, must_change, totp_enabled, require_totp = row
    if not active or version != claims.get("ver") or claims.get("role") != role:
        return None
    if must_change:  # only /v1/auth/password, which checks itself
        return Principal(tenant_id, role, frozenset(), staff_id, None, True)
    # Checked per request: the owner's switch acts at once.
    if _second_factor_missing(role, bool(totp_enabled), bool(require_totp)):
        return Principal(
            tenant_id, role, TOTP_SETUP_PERMISSIONS, staff_id=staff_id, totp_setup_required=True
        )
    return Principal(tenant_id, role, ROLE_PERMISSIONS[role], staff_id=staff_id)


def _principal_from_integration(claims: dict) -> Principal | None:
    key = IntegrationKey.get_or_none(
        IntegrationKey.jti == claims["jti"], IntegrationKey.tenant == claims["tid"]
    )
    if key is None or key.revoked_at is not None:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > timedelta(hours=1):
        # Coarse on purpose: one write per key and hour, not per request.
        IntegrationKey.update(last_used_at=now).where(IntegrationKey.id == key.id).execute()
    scopes = frozenset(key.scopes.split()) & frozenset(GRANTABLE_SCOPES)
    return Principal(key.tenant_id, "integration", scopes, key_id=key.id)


def authenticate() -> Principal:
    """Resolve the caller from an access token or an integration key."""
    if "principal" in g:
        return g.principal
    token = _bearer()
    ring = key_ring()
    principal = None
    for purpose, resolve in (
        ("access", _principal_from_access),
        ("integration", _principal_from_integration),
    ):
        try:
            claims = ring.verify(purpose, token)
        except TokenError:
            continue
        try:
            principal = resolve(claims)
        except (KeyError, TypeError, ValueError):
            principal = None
        break
    if principal is None:
        abort(401, "Invalid or expired token.", headers={"WWW-Authenticate": "Bearer"})
    g.principal = principal
    return principal


def require(permission: str | None = None, *any_of: str):
    """Authenticate, then insist on ``permission`` (or any of ``any_of``)."""
    wanted = tuple(p for p in (permission, *any_of) if p)

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            principal = authenticate()
            if wanted and not any(principal.can(p) for p in wanted):
                if principal.role == "integration" and set(wanted) <= set(NOT_GRANTABLE):
                    abort(403, "Only a person can do this.", reason="person_required")
                if principal.password_change_required:
                    abort(
                        403,
                        "Change your one-time password first.",
                        reason="password_change_required",
                    )
                if principal.totp_setup_required:
                    abort(
                        403,
                        "Set up your second factor (TOTP) first.",
                        reason="totp_setup_required",
                    )
                abort(403, "Your role does not allow this.")
            return func(*args, **kwargs)

        wrapper._hushbook_permission = wanted
        return wrapper

    return decorator


def principal() -> Principal:
    return g.principal
