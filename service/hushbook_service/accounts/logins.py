"""Logins, token pairs, refresh rotation, revocation, integration keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from hushbook_service import audit, keys
from hushbook_service.accounts import passwords, totp
from hushbook_service.accounts.principals import GRANTABLE_SCOPES, key_ring, totp_setup_required
from hushbook_service.accounts.tokens import TokenError
from hushbook_service.db import lock_names, utcnow, write_transaction
from hushbook_service.errors import abort
from hushbook_service.models import IntegrationKey, LoginAttempt, RefreshToken, Staff, Tenant

ANONYMOUS = ("anonymous", None)
INTEGRATION_KEY_TTL = timedelta(days=5 * 365)  # revocable at any time


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    password_change_required: bool
    totp_setup_required: bool = False


def _settings():
    return current_app.config["HUSHBOOK"]


def _subject(slug: str, email: str, purpose: str = "login") -> str:
    """Keyed, so a copy of the database cannot test guessed e-mails against it.
    ``purpose`` separates budgets: the password and the codes of a login share
    ``"login"``; turning a second factor on has its own."""
    key = keys.instance_key("login", "login-subject")
    prefix = "login" if purpose == "login" else f"login|{purpose}"
    message = f"{prefix}\0{slug.lower()}\0{email.lower()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _account_subject(staff: Staff, purpose: str = "login") -> str:
    slug = Tenant.select(Tenant.slug).where(Tenant.id == staff.tenant_id).scalar()
    return _subject(slug, staff.email, purpose)


def _reserve(subject: str, ip: str) -> int:
    """One guess at a secret of ``subject`` from ``ip``, booked *before* the
    secret is checked, or 429 once the account or the address has used up its
    failures in the window (the account's, and four times that per address).

    Count and booking happen in one write transaction under a lock on both
    names (SQLite: the database; PostgreSQL: advisory locks), so parallel
    guesses queue here and at most the limit of them ever reach the check.
    A guess that turns out right is given back (:func:`_give_back`); a wrong
    one stays as the failure it is. Returns the booked attempt's id."""
    s = _settings()
    since = utcnow() - timedelta(seconds=s.login_window_seconds)
    with write_transaction():
        lock_names(f"guess-subject|{subject}", f"guess-ip|{ip}")
        recent = LoginAttempt.select().where(LoginAttempt.at >= since)
        by_subject = recent.where(LoginAttempt.subject == subject).count()
        by_ip = recent.where(LoginAttempt.ip == ip).count()
        if by_subject >= s.login_max_failures or by_ip >= 4 * s.login_max_failures:
            abort(
                429,
                "Too many failed attempts. Try again later.",
                reason="login_throttled",
                headers={"Retry-After": str(s.login_window_seconds)},
            )
        return LoginAttempt.create(subject=subject, ip=ip).id


def _give_back(attempt_id: int) -> None:
    """The guess was right (or not a guess after all): it is no failure."""
    LoginAttempt.delete().where(LoginAttempt.id == attempt_id).execute()


def _password_matches(staff: Staff | None, password: str) -> bool:
    """The hash is computed whatever the account: unknown, deactivated, without a
    password yet or active — they all take the time of one scrypt check, so the
    answer's timing tells nothing about which one it was."""
    stored = staff.password_hash if staff is not None else None
    if not stored:
        passwords.dummy_verify(_settings().scrypt_log_n)
        return False
    ok = passwords.verify_password(password, stored)
    return ok and staff is not None and staff.active


def login(slug: str, email: str, password: str, ip: str, totp_code: str | None = None) -> TokenPair:
    subject = _subject(slug, email)
    attempt = _reserve(subject, ip)
    staff = (
        Staff.select()
        .join(Tenant)
        .where(Tenant.slug == slug.lower(), Staff.email == email.lower())
        .first()
    )
    if not _password_matches(staff, password):
        if staff is not None:  # an attempt on a real account: the owner should know
            audit.record(staff.tenant_id, "auth.login_failed", "staff", staff.id, ANONYMOUS)
        abort(401, "Unknown tenant, e-mail or password.", reason="bad_credentials")
    assert staff is not None  # a password matched
    if staff.totp_enabled:
        if not totp_code:  # not a failure: the client asks for the code and retries
            _give_back(attempt)
            abort(401, "Enter the code from your authenticator app.", reason="totp_required")
        if not totp.consume(staff, totp_code):  # wrong, too far off, or already used
            audit.record(
                staff.tenant_id, "auth.login_failed", "staff", staff.id, ANONYMOUS, factor="totp"
            )
            abort(401, "The code is wrong or was already used.", reason="bad_credentials")
    LoginAttempt.delete().where(LoginAttempt.subject == subject).execute()
    audit.record(staff.tenant_id, "auth.login", "staff", staff.id, ("staff", staff.id))
    return issue_pair(staff, family=secrets.token_urlsafe(16))


def issue_pair(staff: Staff, family: str) -> TokenPair:
    s = _settings()
    ring = key_ring()
    access = ring.issue(
        "access",
        {
            "sub": str(staff.id),
            "tid": staff.tenant_id,
            "role": staff.role,
            "ver": staff.token_version,
        },
        timedelta(seconds=s.access_ttl_seconds),
    )
    jti = secrets.token_urlsafe(24)
    refresh = ring.issue(
        "refresh",
        {
            "sub": str(staff.id),
            "tid": staff.tenant_id,
            "jti": jti,
            "fam": family,
            "ver": staff.token_version,
        },
        timedelta(seconds=s.refresh_ttl_seconds),
    )
    RefreshToken.create(
        tenant=staff.tenant_id,
        staff=staff.id,
        jti=jti,
        family=family,
        expires_at=utcnow() + timedelta(seconds=s.refresh_ttl_seconds),
    )
    return TokenPair(
        access,
        refresh,
        s.access_ttl_seconds,
        staff.must_change_password,
        totp_setup_required(staff),
    )


def refresh(token: str) -> TokenPair:
    """Rotate: a refresh token works once. Presenting a used one again means it
    was stolen or replayed, so the whole family is revoked."""
    try:
        claims = key_ring().verify("refresh", token)
    except TokenError:
        abort(401, "Invalid or expired token.")
    with write_transaction():
        row = RefreshToken.get_or_none(RefreshToken.jti == claims["jti"])
        if row is None or row.revoked_at is not None or row.tenant_id != claims.get("tid"):
            abort(401, "Invalid or expired token.")
        if row.used_at is None:
            claimed = (
                RefreshToken.update(used_at=utcnow())
                .where(RefreshToken.id == row.id, RefreshToken.used_at.is_null())
                .execute()
            )
            staff = Staff.get_or_none(Staff.id == row.staff_id)
            if (
                not claimed
                or staff is None
                or not staff.active
                or staff.token_version != claims.get("ver")
            ):
                abort(401, "Invalid or expired token.")
            return issue_pair(staff, family=row.family)
    # Outside the transaction, so the revocation survives the error response.
    revoke_family(row.family)
    audit.record(row.tenant_id, "auth.refresh_reuse", "staff", row.staff_id, ANONYMOUS)
    abort(401, "Refresh token reuse detected; please log in again.", reason="refresh_reuse")


def revoke_family(family: str) -> None:
    RefreshToken.update(revoked_at=utcnow()).where(
        RefreshToken.family == family, RefreshToken.revoked_at.is_null()
    ).execute()


def logout(token: str) -> None:
    try:
        claims = key_ring().verify("refresh", token)
    except TokenError:
        return  # logging out with a dead token is a no-op
    row = RefreshToken.get_or_none(RefreshToken.jti == claims["jti"])
    if row is not None:
        revoke_family(row.family)


def revoke_all_tokens(staff: Staff) -> None:
    """Every access and refresh token of ``staff`` stops working now."""
    Staff.update(token_version=Staff.token_version + 1, updated_at=utcnow()).where(
        Staff.id == staff.id
    ).execute()
    RefreshToken.update(revoked_at=utcnow()).where(
        RefreshToken.staff == staff.id, RefreshToken.revoked_at.is_null()
    ).execute()
    staff.token_version += 1


def sign_out_everywhere(staff: Staff) -> None:
    """The person ends every session of theirs (a lost phone, a shared computer)."""
    with write_transaction():
        revoke_all_tokens(staff)
        audit.record(staff.tenant_id, "auth.logout_everywhere", "staff", staff.id)


def change_password(staff: Staff, current: str, new: str, ip: str) -> TokenPair:
    """The current password is a guess like a login's and is throttled on the same
    budget (a stolen access token must not become a guessing oracle)."""
    attempt = _reserve(_account_subject(staff), ip)
    if not passwords.verify_password(current, staff.password_hash):
        audit.record(staff.tenant_id, "auth.password_change_failed", "staff", staff.id)
        abort(401, "Current password is wrong.", reason="bad_credentials")
    _give_back(attempt)
    problems = passwords.password_problems(new, staff.email)
    if problems:
        abort(422, "Password too weak.", errors={"json": {"new_password": problems}})
    new_hash = passwords.hash_password(new, _settings().scrypt_log_n)  # slow: outside the lock
    with write_transaction():
        staff.password_hash = new_hash
        staff.must_change_password = False
        staff.save()
        revoke_all_tokens(staff)
        audit.record(staff.tenant_id, "auth.password_change", "staff", staff.id)
    return issue_pair(staff, family=secrets.token_urlsafe(16))


def setup_totp(staff: Staff) -> tuple[str, str]:
    """Start enrolment: a new secret, sealed at rest, not yet required at login.
    Returns the secret (base32) and its ``otpauth://`` URI, shown once."""
    if staff.totp_enabled:
        abort(409, "Your second factor is on; turn it off first.", reason="totp_already_enabled")
    secret = totp.new_secret()
    with write_transaction():
        Staff.update(
            totp_secret=totp.seal(secret, staff.tenant_id, staff.id),
            totp_enabled=False,
            totp_last_step=0,  # the replay guard belongs to a secret
            updated_at=utcnow(),
        ).where(Staff.id == staff.id).execute()
        audit.record(staff.tenant_id, "auth.totp_setup", "staff", staff.id)
    slug = Tenant.select(Tenant.slug).where(Tenant.id == staff.tenant_id).scalar()
    return totp.b32(secret), totp.otpauth_uri(secret, f"{staff.email} ({slug})")


def enable_totp(staff: Staff, code: str, ip: str) -> TokenPair:
    """Turn the second factor on with a first correct code. Every older token
    of the account (got with the password alone) stops working. Wrong codes are
    throttled like logins, on a budget of their own (a fumbled set-up does not
    lock the person out of signing in)."""
    if staff.totp_enabled:
        abort(409, "Your second factor is already on.", reason="totp_already_enabled")
    opened = totp.secret_of(staff)
    if opened is None:
        abort(409, "Set up your second factor first.", reason="totp_not_set_up")
    attempt = _reserve(_account_subject(staff, "totp-enable"), ip)
    step = totp.match_step(opened[0], code, totp.clock(), after=staff.totp_last_step)
    if step is None:
        abort(
            422,
            "The request was well-formed but had invalid values.",
            errors={"json": {"code": ["The code does not match; check the device's clock."]}},
        )
    with write_transaction():
        changed = (
            Staff.update(totp_enabled=True, totp_last_step=step, updated_at=utcnow())
            .where(
                Staff.id == staff.id,
                Staff.totp_enabled == False,  # noqa: E712
                Staff.totp_secret == staff.totp_secret,  # not replaced meanwhile
                Staff.totp_last_step < step,
            )
            .execute()
        )
        if not changed:
            abort(409, "Your second factor changed meanwhile; try again.", reason="totp_changed")
        _give_back(attempt)
        staff.totp_enabled, staff.totp_last_step = True, step
        revoke_all_tokens(staff)
        audit.record(staff.tenant_id, "auth.totp_enable", "staff", staff.id)
    return issue_pair(staff, family=secrets.token_urlsafe(16))


def disable_totp(staff: Staff, password: str, code: str, ip: str) -> None:
    """Turn the second factor off: password and a current code, throttled like
    a login (a stolen access token must not become a guessing oracle)."""
    if not staff.totp_enabled:
        abort(409, "Your second factor is not on.", reason="totp_not_enabled")
    attempt = _reserve(_account_subject(staff), ip)
    # The code is only looked at (and its step spent) after the right password.
    if not (passwords.verify_password(password, staff.password_hash) and totp.consume(staff, code)):
        audit.record(staff.tenant_id, "auth.totp_disable_failed", "staff", staff.id)
        abort(401, "Password or code is wrong.", reason="bad_credentials")
    with write_transaction():
        _give_back(attempt)
        Staff.update(totp_enabled=False, totp_secret=None, updated_at=utcnow()).where(
            Staff.id == staff.id
        ).execute()
        staff.totp_enabled, staff.totp_secret = False, None
        audit.record(staff.tenant_id, "auth.totp_disable", "staff", staff.id)


def create_integration_key(
    tenant_id: int, name: str, scopes: list[str], created_by: int | None
) -> tuple[IntegrationKey, str]:
    unknown = sorted(set(scopes) - set(GRANTABLE_SCOPES))
    if unknown:
        abort(
            422, "Unknown scope.", errors={"json": {"scopes": [f"Unknown: {', '.join(unknown)}"]}}
        )
    jti = secrets.token_urlsafe(24)
    key = IntegrationKey.create(
        tenant=tenant_id,
        jti=jti,
        name=name,
        scopes=" ".join(sorted(set(scopes))),
        created_by=created_by,
    )
    token = key_ring().issue(
        "integration", {"sub": f"key:{key.id}", "tid": tenant_id, "jti": jti}, INTEGRATION_KEY_TTL
    )
    return key, token


def purge_expired() -> int:
    """Housekeeping: old refresh tokens and login failures."""
    now = utcnow()
    n = RefreshToken.delete().where(RefreshToken.expires_at < now).execute()
    n += LoginAttempt.delete().where(LoginAttempt.at < now - timedelta(days=1)).execute()
    return n
