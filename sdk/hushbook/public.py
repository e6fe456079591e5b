"""The public booking flow, for custom front ends (docs/stealth.md, part 2).

>>> shop = PublicBooking("https://book.example", "salon-rosa")
>>> cut = shop.catalog().services[0]
>>> offers = shop.offers(cut.id, date(2030, 6, 3), date(2030, 6, 9), parts=["evening"])
>>> pending = shop.book(offers[0], profile={"name": "Erika"}, email="erika@example.org",
...                     purposes=["booking", "reminders"])
>>> confirmed = shop.confirm(pending.booking, "123456")   # the code the customer got

The profile is sealed here to the salon's public key (from the catalog): the
service stores it without ever seeing it. Proof-of-work puzzles are solved
here too, one per ask.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

import requests

from . import sealing
from ._models import Catalog, Challenge, ConfirmedBooking, ManagedBooking, Offer, PendingBooking
from ._transport import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, Transport

__all__ = ["PublicBooking", "solve_pow"]


def _leading_zero_bits(digest: bytes) -> int:
    return len(digest) * 8 - int.from_bytes(digest, "big").bit_length()


def solve_pow(challenge_id: str, bits: int) -> str:
    """The first nonce (decimal) with ``SHA-256(challenge_id + ":" + nonce)`` starting
    with ``bits`` zero bits: about ``2**bits`` hashes."""
    if not 0 <= bits <= 64:
        raise ValueError("bits must be between 0 and 64")
    prefix = f"{challenge_id}:".encode()
    nonce = 0
    while True:
        text = str(nonce)
        if _leading_zero_bits(hashlib.sha256(prefix + text.encode()).digest()) >= bits:
            return text
        nonce += 1


def _iso(value: date | time | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value.isoformat()


class PublicBooking:
    """One visitor's booking session with one salon (no login).

    ``integration_key`` and ``visitor_ip`` are for trusted forwarders (plugins
    calling from their server): the service then meters the visitor's address.
    """

    def __init__(
        self,
        base_url: str,
        slug: str,
        *,
        session: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http: requests.Session | None = None,
        integration_key: str | None = None,
        visitor_ip: str | None = None,
        locale: str | None = None,
        tenant_id: int | None = None,
    ):
        self.slug = slug
        self.tenant_id = tenant_id
        """The salon's tenant id, bound into every sealed field; read from the
        catalog when the service publishes it there."""
        self.session = session
        """The visitor session token (12 hours); the first challenge creates one."""
        self._http = Transport(base_url, timeout=timeout, max_retries=max_retries, session=http)
        self._headers: dict[str, str] = {}
        if integration_key:
            self._headers["Authorization"] = f"Bearer {integration_key}"
        if visitor_ip:
            self._headers["Hushbook-Visitor-IP"] = visitor_ip
        if locale:
            self._headers["Accept-Language"] = locale
        self._catalog: Catalog | None = None

    def __repr__(self) -> str:
        return f"<hushbook.PublicBooking {self._http.base_url} {self.slug}>"

    @property
    def last_response(self) -> Any:
        return self._http.last_response

    def _send(self, method: str, path: str, body: Any = None, *, retry_safe: bool = False) -> Any:
        # Public POSTs spend a puzzle, an offer or a code, and the service keeps no
        # idempotency record for them: a repeat could act twice or fail on the spent
        # puzzle. So only reads and harmless calls are retried; a 429 is raised at
        # once with its ``retry_after`` for the front end to show.
        repeatable = retry_safe or method == "GET"
        return self._http.send(
            method,
            path,
            json=body,
            headers=self._headers,
            auth=False,
            idempotent=repeatable,
            max_retries=None if repeatable else 0,
        ).body

    # --- 1. catalog --------------------------------------------------------------------

    def catalog(self, *, refresh: bool = False) -> Catalog:
        """Services, privacy notices, the profile fields collected and the sealing key."""
        if self._catalog is None or refresh:
            self._catalog = Catalog.from_json(self._send("GET", f"/v1/public/{self.slug}/catalog"))
        return self._catalog

    # --- 2. session and proof-of-work ----------------------------------------------------

    def challenge(self) -> Challenge:
        """A puzzle for the next ask (and a visitor session on the first call)."""
        body = {"session": self.session} if self.session else {}
        answer = Challenge.from_json(
            self._send("POST", f"/v1/public/{self.slug}/challenge", body, retry_safe=True)
        )
        self.session = answer.session
        return answer

    def proof(self) -> dict[str, str] | None:
        """A solved puzzle for one ask, or ``None`` when stealth mode is off."""
        challenge = self.challenge()
        if not challenge.required or not challenge.challenge or challenge.challenge_id is None:
            return None
        return {
            "challenge": challenge.challenge,
            "nonce": solve_pow(challenge.challenge_id, challenge.bits or 0),
        }

    def _asking(self, body: dict[str, Any]) -> dict[str, Any]:
        proof = self.proof()  # also makes sure there is a session
        body["session"] = self.session
        if proof is not None:
            body["pow"] = proof
        return body

    # --- 3. offers -----------------------------------------------------------------------

    def offers(
        self,
        service_id: int,
        date_from: date | str,
        date_to: date | str,
        *,
        weekdays: Iterable[int] | None = None,
        parts: Iterable[str] | None = None,
        time_from: time | str | None = None,
        time_to: time | str | None = None,
        staff_id: int | None = None,
    ) -> list[Offer]:
        """At most k offers for a wish: local dates (at most 14 days), optional
        ``weekdays`` (0 = Monday), ``parts`` (morning, afternoon, evening) or a
        ``time_from``/``time_to`` range; ``staff_id`` only if the salon shows names."""
        wish: dict[str, Any] = {
            "service_id": service_id,
            "date_from": _iso(date_from),
            "date_to": _iso(date_to),
        }
        if weekdays is not None:
            wish["weekdays"] = list(weekdays)
        if parts is not None:
            wish["parts"] = list(parts)
        if time_from is not None or time_to is not None:
            wish["time_from"], wish["time_to"] = _iso(time_from), _iso(time_to)
        if staff_id is not None:
            wish["staff_id"] = staff_id
        answer = self._send("POST", f"/v1/public/{self.slug}/offers", self._asking(wish))
        return [Offer.from_json(o) for o in answer["offers"]]

    # --- 4. booking ----------------------------------------------------------------------

    def consent(self, purposes: Iterable[str], locale: str | None = None) -> dict[str, Any]:
        """Consent to the latest notice in ``locale`` (show its text to the customer)."""
        notice = self.catalog().notice(locale)
        return {
            "notice_version": notice.version,
            "locale": notice.locale,
            "purposes": list(purposes),
        }

    def seal(self, profile: Mapping[str, str]) -> dict[str, Any]:
        """``{"client_key", "sealed_profile"}``, sealed here to the salon's public key."""
        catalog = self.catalog()
        if not catalog.public_key:
            raise sealing.SealError("this salon has no public key yet (vault not set up)")
        tenant_id = self._tenant_id()
        key = sealing.new_client_key()
        public = sealing.import_public_key(catalog.public_key)
        body: dict[str, Any] = {
            "client_key": key,
            "sealed_profile": sealing.seal_profile(public, tenant_id, key, dict(profile)),
        }
        if catalog.key_version is not None:  # refused if the key was rotated meanwhile
            body["key_version"] = catalog.key_version
        return body

    def _tenant_id(self) -> int:
        # Every sealed field is bound to the tenant id (sealing.aad), so it must
        # be known here: given to the constructor, or published in the catalog.
        tenant_id = self.tenant_id if self.tenant_id is not None else self.catalog().tenant_id
        if isinstance(tenant_id, int):
            return tenant_id
        raise sealing.SealError(
            "the salon's tenant_id is needed to seal a profile and the catalog does not "
            "publish it: pass PublicBooking(..., tenant_id=…), or book with seal=False "
            "(the service seals on arrival)"
        )

    def book(
        self,
        offer: Offer | str,
        *,
        profile: Mapping[str, str],
        email: str | None = None,
        phone: str | None = None,
        purposes: Iterable[str] = ("booking",),
        locale: str | None = None,
        consent: Mapping[str, Any] | None = None,
        seal: bool = True,
    ) -> PendingBooking:
        """Book an offer: pending until the customer confirms with the code or link.

        The contact (``email`` and/or ``phone``) is where the confirmation goes;
        the salon's collected fields among it are added to the profile. With
        ``seal=True`` (default) the profile is sealed here; ``consent`` defaults
        to the latest notice in ``locale`` for ``purposes``.
        """
        contact = {k: v for k, v in (("email", email), ("phone", phone)) if v}
        if not contact:
            raise ValueError("give an e-mail address or a phone number for the confirmation")
        fields = self.catalog().profile_fields
        full = {**{k: v for k, v in contact.items() if k in fields}, **profile}
        body: dict[str, Any] = {
            "offer": offer.token if isinstance(offer, Offer) else offer,
            "contact": contact,
            "consent": dict(consent) if consent is not None else self.consent(purposes, locale),
        }
        if seal:
            body.update(self.seal(full))
        else:
            body["profile"] = dict(profile)
        answer = self._send("POST", f"/v1/public/{self.slug}/bookings", self._asking(body))
        return PendingBooking.from_json(answer)

    # --- 5. confirmation -----------------------------------------------------------------

    def confirm(self, booking: PendingBooking | str, code: str) -> ConfirmedBooking:
        """Confirm with the six-digit code (five wrong codes, then ``RateLimited``)."""
        ref = booking.booking if isinstance(booking, PendingBooking) else booking
        answer = self._send(
            "POST", "/v1/public/bookings/confirm", {"booking": ref, "code": code}, retry_safe=True
        )
        return ConfirmedBooking.from_json(answer)

    def confirm_link(self, token: str) -> ConfirmedBooking:
        """Confirm with the token of the confirmation link."""
        answer = self._send(
            "POST", "/v1/public/bookings/confirm", {"token": token}, retry_safe=True
        )
        return ConfirmedBooking.from_json(answer)

    # --- 6. manage links -----------------------------------------------------------------

    def manage(self, manage_token: str) -> ManagedBooking:
        return ManagedBooking.from_json(self._send("GET", f"/v1/public/manage/{manage_token}"))

    def cancel(self, manage_token: str) -> ManagedBooking:
        return ManagedBooking.from_json(
            self._send("POST", f"/v1/public/manage/{manage_token}/cancel", retry_safe=True)
        )

    def reschedule_offers(
        self,
        manage_token: str,
        date_from: date | str,
        date_to: date | str,
        *,
        weekdays: Iterable[int] | None = None,
        parts: Iterable[str] | None = None,
    ) -> list[Offer]:
        wish: dict[str, Any] = {"date_from": _iso(date_from), "date_to": _iso(date_to)}
        if weekdays is not None:
            wish["weekdays"] = list(weekdays)
        if parts is not None:
            wish["parts"] = list(parts)
        # paid like any ask: a puzzle of this manage link, solved here
        puzzle = self._send("POST", f"/v1/public/manage/{manage_token}/challenge", retry_safe=True)
        if puzzle.get("required"):
            nonce = solve_pow(puzzle["challenge_id"], int(puzzle["bits"]))
            wish["pow"] = {"challenge": puzzle["challenge"], "nonce": nonce}
        answer = self._send("POST", f"/v1/public/manage/{manage_token}/offers", wish)
        return [Offer.from_json(o) for o in answer["offers"]]

    def reschedule(self, manage_token: str, offer: Offer | str) -> ConfirmedBooking:
        """Move to an offer from ``reschedule_offers``; the answer has a new manage token."""
        token = offer.token if isinstance(offer, Offer) else offer
        answer = self._send(
            "POST", f"/v1/public/manage/{manage_token}/reschedule", {"offer": token}
        )
        return ConfirmedBooking.from_json(answer)
