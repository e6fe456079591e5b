"""The client book's rules: figures, returning clients, consent, export, erasure, retention.

Personal fields stay sealed (:mod:`hushbook_service.privacy.profiles`); what lives here is
non-identifying (figures), one-way (blind index digests) or about the
record (consents).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from peewee import fn

from hushbook import sealing
from hushbook_service import audit, keys
from hushbook_service.db import prepared_models, prepared_rows, utcnow, write_transaction
from hushbook_service.errors import field_error
from hushbook_service.models import (
    Appointment,
    Client,
    ClientIndex,
    Consent,
    DeliveryContact,
    PrivacyNotice,
    Tenant,
)
from hushbook_service.privacy import profiles as client_profiles

INDEXED = ("email", "phone")


# --- figures ----------------------------------------------------------------------


def category(client: Client, tenant: Tenant) -> str:
    if client.total_spent_cents >= tenant.vip_after_spent_cents:
        return "vip"
    if client.visits >= tenant.regular_after_visits:
        return "regular"
    return "new"


def count_visit(appointment: Appointment, status: str) -> None:
    """Update the client's figures when an appointment is completed or missed."""
    if appointment.client_id is None:
        return
    client = Client.get_or_none(Client.id == appointment.client_id)
    if client is None:
        return
    if status == "completed":
        client.visits += 1
        client.total_spent_cents += appointment.price_cents
        when = appointment.start_at
        client.first_visit = min(client.first_visit or when, when)
        client.last_visit = max(client.last_visit or when, when)
    elif status == "no_show":
        client.no_shows += 1
    client.category = category(client, Tenant.get_by_id(client.tenant_id))
    client.last_activity_at = utcnow()
    client.save()


# --- returning clients (blind index) --------------------------------------------------


def _index_key(tenant_id: int) -> bytes:
    # One key per tenant: equal contacts in two salons give unrelated digests.
    return keys.instance_key("index", str(tenant_id))


def _country(tenant_id: int, contacts: dict[str, str]) -> str | None:
    """The salon's default phone country code, read only when a phone needs it
    (e-mail-only contacts are the public booking's common case)."""
    if not contacts.get("phone"):
        return None
    return prepared_rows(
        "clientbook.country",
        lambda: Tenant.select(Tenant.phone_country_code).where(Tenant.id == tenant_id),
        [tenant_id],
    )[0][0]


def digests(tenant_id: int, contacts: dict[str, str]) -> list[tuple[str, str]]:
    key = _index_key(tenant_id)
    country = _country(tenant_id, contacts)
    found = []
    for kind in INDEXED:
        value = contacts.get(kind)
        if value:
            try:
                found.append(
                    (kind, sealing.blind_index(key, kind, value, default_country_code=country))  # type: ignore[arg-type]
                )
            except ValueError:
                continue  # not indexable (e.g. a phone without digits): no recognition
    return found


# Mail services that ignore dots in the local part (googlemail.com is gmail.com).
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox(kind: str, value: str, country: str | None = None) -> str:
    """The one mailbox or line behind a contact, as caps count it (not for
    recognising clients: that is the blind index's stricter form).

    Starts from the blind index's normal form (:func:`hushbook.sealing.normalize_email`,
    :func:`~hushbook.sealing.normalize_phone` with the salon's country code), then
    folds what one person can vary at will: a ``+tag`` (any provider), dots at
    Gmail. ``ValueError`` for a contact that cannot be normalised."""
    if kind == "phone":
        return sealing.normalize_phone(value, default_country_code=country)
    local, _, domain = sealing.normalize_email(value).rpartition("@")
    local = local.split("+", 1)[0] or local
    if domain in DOTLESS_DOMAINS:
        domain = DOTLESS_DOMAINS[domain]
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def mailboxes(tenant_id: int, contacts: dict[str, str]) -> list[tuple[str, str]]:
    """``(kind, mailbox)`` of each indexable contact (see :func:`mailbox`)."""
    country = _country(tenant_id, contacts)
    found = []
    for kind in INDEXED:
        value = contacts.get(kind)
        if value:
            try:
                found.append((kind, mailbox(kind, value, country)))
            except ValueError:
                continue
    return found


def index(client: Client, contacts: dict[str, str]) -> None:
    """Remember the client's contacts as digests only (the values are forgotten).

    For a client without digests (just created, or :func:`reindex` deleted them):
    one insert, at most one digest per kind."""
    rows = [
        {"tenant": client.tenant_id, "client": client.id, "kind": kind, "digest": digest}
        for kind, digest in digests(client.tenant_id, contacts)
    ]
    if rows:
        ClientIndex.insert_many(rows).execute()


def reindex(client: Client, contacts: dict[str, str]) -> None:
    """Replace the client's digests with those of ``contacts`` (the profile's
    e-mail or phone changed); the old ones are deleted."""
    ClientIndex.delete().where(ClientIndex.client == client.id).execute()
    index(client, contacts)


def find_returning(tenant_id: int, contacts: dict[str, str]) -> Client | None:
    """The client a contact names: the lowest id under the first kind (e-mail,
    then phone) that has one."""
    for kind, digest in digests(tenant_id, contacts):
        found = prepared_models(
            "clientbook.find_returning",
            Client,
            lambda kind=kind, digest=digest: (
                Client.select()
                .join(ClientIndex, on=(ClientIndex.client == Client.id))
                .where(
                    ClientIndex.tenant == tenant_id,
                    ClientIndex.kind == kind,
                    ClientIndex.digest == digest,
                )
                .order_by(ClientIndex.client)
                .limit(1)
            ),
            [tenant_id, kind, digest, 1],
        )
        if found:
            return found[0]
    return None


# --- consent ------------------------------------------------------------------------


def record_consent(
    client: Client,
    notice_version: int,
    locale: str,
    purposes: list[str],
    source: str,
    appointment_id: int | None = None,
) -> Consent:
    return Consent.create(
        tenant=client.tenant_id,
        client=client.id,
        notice_version=notice_version,
        locale=locale,
        purposes=" ".join(sorted(set(purposes))),
        source=source,
        appointment=appointment_id,
    )


def current_purposes(client_id: int | None) -> frozenset[str]:
    """What the client agrees to now: the purposes of the latest consent they gave
    (a later one replaces an earlier one: giving fewer purposes withdraws the rest).

    A returning client's consent sent with an online booking counts once that
    booking is confirmed: until then, the contact's owner may not have given it.
    No client (a booking without one), or none recorded: nothing."""
    if client_id is None:
        return frozenset()
    rows = (
        Consent.select(Consent.purposes, Consent.appointment)
        .where(Consent.client == client_id)
        .order_by(Consent.id.desc())
    )
    for row in rows:
        if row.appointment is not None:
            status = (
                Appointment.select(Appointment.status)
                .where(Appointment.id == row.appointment)
                .scalar()
            )
            if status == "pending":
                continue
        return frozenset(row.purposes.split())
    return frozenset()


def give_consent(client: Client, consent: dict, source: str) -> Consent:
    """A new consent of the client (staff recorded it, or the customer changed it
    online): it replaces the one before. Inside the caller's write transaction."""
    require_notice(client.tenant_id, consent)
    row = record_consent(
        client, consent["notice_version"], consent["locale"], consent["purposes"], source
    )
    client.last_activity_at = utcnow()
    if "birthday" not in consent["purposes"]:
        client.birthday_month = None  # kept only with the client's consent to it
    client.save(only=[Client.last_activity_at, Client.birthday_month])
    audit.record(
        client.tenant_id,
        "client.update",
        "client",
        client.id,
        fields=["consent"],
        purposes=sorted(set(consent["purposes"])),
    )
    return row


def require_notice(tenant_id: int, consent: dict) -> None:
    """The one check that a consent names a published privacy notice, or 422."""
    if not notice_exists(tenant_id, consent["notice_version"], consent["locale"]):
        field_error("consent", "Unknown privacy notice version for this language.")


def notice_exists(tenant_id: int, version: int, locale: str) -> bool:
    return bool(
        prepared_rows(
            "clientbook.notice_exists",
            lambda: (
                PrivacyNotice.select(PrivacyNotice.id)
                .where(
                    PrivacyNotice.tenant == tenant_id,
                    PrivacyNotice.version == version,
                    PrivacyNotice.locale == locale,
                )
                .limit(1)
            ),
            [tenant_id, version, locale, 1],
        )
    )


# --- export and erasure -------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(client: Client) -> dict:
    """Everything the service holds about one client (Art. 15/20). The profile
    is sealed: the reader opens it on their side."""
    appointments = (
        Appointment.select()
        .where(Appointment.tenant == client.tenant_id, Appointment.client == client.id)
        .order_by(Appointment.start_at)
    )
    contact_rows = DeliveryContact.select(DeliveryContact.appointment, DeliveryContact.epoch).where(
        DeliveryContact.appointment.in_([a.id for a in appointments])
    )
    return {
        "client": {
            "id": client.id,
            "client_key": client.client_key,
            "sealed_profile": client_profiles.sealed_profile(client),
            "created_at": _iso(client.created_at),
        },
        "figures": figures(client),
        "consents": [
            {
                "notice_version": c.notice_version,
                "locale": c.locale,
                "purposes": c.purposes.split(),
                "given_at": _iso(c.given_at),
                "source": c.source,
            }
            for c in client.consents.order_by(Consent.given_at)
        ],
        "appointments": [
            {
                "id": a.id,
                "start": _iso(a.start_at),
                "end": _iso(a.end_at),
                "service_id": a.service_id,
                "staff_id": a.staff_id,
                "status": a.status,
                "source": a.source,
                "price_cents": a.price_cents,
            }
            for a in appointments
        ],
        "delivery_contacts": [
            {"appointment_id": d.appointment_id, "epoch": d.epoch, "sealed": True}
            for d in contact_rows
        ],
        "blind_index": [
            {"kind": e.kind, "digest": e.digest}
            for e in client.index_entries.order_by(ClientIndex.kind)
        ],
    }


def figures(client: Client) -> dict:
    return {
        "first_visit": _iso(client.first_visit),
        "last_visit": _iso(client.last_visit),
        "visits": client.visits,
        "no_shows": client.no_shows,
        "total_spent_cents": client.total_spent_cents,
        "average_ticket_cents": client.total_spent_cents // client.visits if client.visits else 0,
        "category": client.category,
        "birthday_month": client.birthday_month,
    }


def erase(client: Client, reason: str) -> None:
    """Art. 17: the sealed profile, its key binding, index digests, consents,
    delivery contacts and figures go; appointments stay for the books, anonymous."""
    with write_transaction():
        appointment_ids = [
            a.id for a in Appointment.select(Appointment.id).where(Appointment.client == client.id)
        ]
        if appointment_ids:
            DeliveryContact.delete().where(
                DeliveryContact.appointment.in_(appointment_ids)
            ).execute()
            Appointment.update(client=None).where(Appointment.id.in_(appointment_ids)).execute()
        ClientIndex.delete().where(ClientIndex.client == client.id).execute()
        Consent.delete().where(Consent.client == client.id).execute()
        client_id, tenant_id = client.id, client.tenant_id
        client.delete_instance()
        audit.record(tenant_id, "client.erase", "client", client_id, reason=reason)


def purge_inactive(now: datetime | None = None) -> int:
    """Retention: erase clients inactive for longer than their tenant allows."""
    now = now or utcnow()
    erased = 0
    for tenant in Tenant.select():
        cutoff = now - timedelta(days=30 * tenant.retention_months)
        last_active = fn.COALESCE(Client.last_activity_at, Client.created_at)
        stale = Client.select().where(Client.tenant == tenant.id, last_active < cutoff)
        for client in stale:
            upcoming = (
                Appointment.select()
                .where(Appointment.client == client.id, Appointment.end_at > now)
                .exists()
            )
            if not upcoming:
                erase(client, reason="retention")
                erased += 1
    return erased
