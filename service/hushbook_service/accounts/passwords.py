"""Password hashing (scrypt: memory-hard, standard library) and strength rules."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

R, P, DKLEN = 8, 1, 32
MIN_LENGTH = 12
MAX_LENGTH = 256
# The most common choices that pass a length rule; the list is short on
# purpose — length plus variety carry most of the weight.
COMMON = {
    "passwort1234",
    "password1234",
    "123456789012",
    "qwertzuiop12",
    "qwertyuiop12",
    "hallo1234567",
    "letmein12345",
    "iloveyou1234",
    "friseur12345",
    "salon1234567",
    "sommer202020",
    "welcome12345",
    "willkommen12",
    "administrator",
}


def _scrypt(password: str, salt: bytes, log_n: int) -> bytes:
    n = 1 << log_n
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=R, p=P, dklen=DKLEN, maxmem=2 * 128 * R * n + 2**20
    )


def hash_password(password: str, log_n: int) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, log_n)
    b64 = base64.b64encode
    return f"scrypt${log_n}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or len(password) > MAX_LENGTH:
        return False
    try:
        scheme, log_n, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, base64.b64decode(salt), int(log_n))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def dummy_verify(log_n: int) -> None:
    """Spend the same time as a real check, so unknown accounts don't answer faster."""
    _scrypt("x", b"0" * 16, log_n)


def password_problems(password: str, email: str = "") -> list[str]:
    """Human-readable reasons a password is too weak (empty list = fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    classes = sum(
        any(c in group for c in password)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if len(password) < 20 and classes < 3:
        problems.append("Mix upper and lower case, digits and symbols, or use 20+ characters.")
    if password.lower() in COMMON or len(set(password)) < 5:
        problems.append("This password is too common or repetitive.")
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        problems.append("Do not use your e-mail address in the password.")
    return problems


def one_time_password() -> str:
    """A strong random password shown once (invitations, new tenants)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))
        if not password_problems(candidate):
            return candidate
