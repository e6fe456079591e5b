"""Every signed token goes through here (python-jose kept behind this module).

Rules (docs/api.md, "Authentication"): HMAC-SHA256 only, a key derived per purpose from rotating
master keys (``kid``), its own ``typ`` and audience per purpose, an explicit
``algorithms`` list, ``exp``/``iat``/``aud``/``iss``/``jti`` all required, a
size cap on incoming tokens, never JWE. A token of one purpose is never
accepted as another: its key, ``typ`` and audience all differ.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import JOSEError

from hushbook_service.db import INT_MAX, utcnow

ALGORITHM = "HS256"
MAX_TOKEN_BYTES = 4096
REQUIRED_CLAIMS = ("exp", "iat", "aud", "iss", "jti")
# A subject of digits names a row: it must be an id the databases can hold.
# Staff tokens always name a team member that way.
ID_SUBJECT = re.compile(r"0|[1-9][0-9]{0,9}")
STAFF_PURPOSES = frozenset({"access", "refresh"})


@dataclass(frozen=True)
class Purpose:
    typ: str
    audience: str


PURPOSES = {
    "access": Purpose("hb-access+jwt", "hushbook:api"),
    "refresh": Purpose("hb-refresh+jwt", "hushbook:refresh"),
    "integration": Purpose("hb-integration+jwt", "hushbook:api"),
    # The public booking flow (stealth layer, :mod:`hushbook_service.public.bookings`).
    "visitor": Purpose("hb-visitor+jwt", "hushbook:public"),
    "challenge": Purpose("hb-challenge+jwt", "hushbook:public"),
    "offer": Purpose("hb-offer+jwt", "hushbook:public"),
    "booking": Purpose("hb-booking+jwt", "hushbook:public"),
    "confirm": Purpose("hb-confirm+jwt", "hushbook:public"),
    "manage": Purpose("hb-manage+jwt", "hushbook:public"),
}


class TokenError(Exception):
    """Any reason a token is not accepted. Deliberately not more specific."""


class KeyRing:
    def __init__(self, keys: dict[str, bytes], current_kid: str, issuer: str):
        if current_kid not in keys:
            raise ValueError("current kid missing from the key ring")
        self._keys = keys
        self.current_kid = current_kid
        self.issuer = issuer
        self._derived: dict[tuple[str, str], bytes] = {}
        self._verifiers: dict[tuple[str, str], Key] = {}

    def key(self, kid: str, purpose: str) -> bytes:
        if (kid, purpose) not in self._derived:
            master = self._keys[kid]
            self._derived[(kid, purpose)] = HKDF(
                master, 32, b"hushbook-token-v1", SHA256, context=purpose.encode()
            )
        return self._derived[(kid, purpose)]

    def _verifier(self, kid: str, purpose: str) -> Key:
        """The derived key as python-jose's key object, made once: given raw bytes,
        jose tries each time to read them as JSON, then wraps them anew."""
        found = self._verifiers.get((kid, purpose))
        if found is None:
            found = self._verifiers[(kid, purpose)] = jwk.construct(
                self.key(kid, purpose), ALGORITHM
            )
        return found

    def knows(self, kid: object) -> bool:
        return isinstance(kid, str) and kid in self._keys

    def issue(self, purpose: str, claims: dict[str, Any], ttl: timedelta) -> str:
        spec = PURPOSES[purpose]
        now = utcnow()
        body = {
            **claims,
            "iss": self.issuer,
            "aud": spec.audience,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
        }
        body.setdefault("jti", secrets.token_urlsafe(16))
        headers = {"kid": self.current_kid, "typ": spec.typ}
        return jwt.encode(body, self.key(self.current_kid, purpose), ALGORITHM, headers=headers)

    def verify(self, purpose: str, token: str) -> dict[str, Any]:
        spec = PURPOSES[purpose]
        if not isinstance(token, str) or len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
            raise TokenError("malformed")
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise TokenError("malformed") from exc
        # Checked before any key is touched: no alg swap, no foreign purpose.
        if header.get("alg") != ALGORITHM or header.get("typ") != spec.typ:
            raise TokenError("wrong algorithm or type")
        kid = header.get("kid")
        if not self.knows(kid):
            raise TokenError("unknown key")
        options = {f"require_{name}": True for name in REQUIRED_CLAIMS} | {"leeway": 5}
        try:
            claims = jwt.decode(
                token,
                self._verifier(kid, purpose),
                algorithms=[ALGORITHM],
                audience=spec.audience,
                issuer=self.issuer,
                options=options,
            )
        except JOSEError as exc:
            raise TokenError("invalid") from exc
        if not _subjects_ok(purpose, claims):
            raise TokenError("invalid subject")
        return claims


def _subjects_ok(purpose: str, claims: dict[str, Any]) -> bool:
    """Even a correctly signed token names only ids the databases can hold."""
    tid = claims.get("tid")
    if tid is not None and (type(tid) is not int or not 1 <= tid <= INT_MAX):
        return False
    sub = claims.get("sub")
    if sub is None:
        return purpose not in STAFF_PURPOSES
    if not isinstance(sub, str) or len(sub) > 128:
        return False
    if sub.isascii() and sub.isdigit() or purpose in STAFF_PURPOSES:
        return ID_SUBJECT.fullmatch(sub) is not None and int(sub) <= INT_MAX
    return True
