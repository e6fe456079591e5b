"""The data model. Every row that belongs to a business carries ``tenant``.

Read tenant rows only through :mod:`hushbook_service.accounts.tenancy`.
"""

from __future__ import annotations

from typing import Any

import peewee as pw

from hushbook_service.db import UTCDateTimeField, database, utcnow

ROLES = ("owner", "manager", "reception", "staff", "accountant")
APPOINTMENT_STATES = ("pending", "confirmed", "completed", "no_show", "cancelled", "expired")
# States that occupy the calendar; a pending online booking only until its
# ``pending_until`` (see ``booking.occupying``).
ACTIVE_STATES = ("pending", "confirmed")
APPOINTMENT_SOURCES = ("staff", "phone", "walk_in", "online")


class BaseModel(pw.Model):
    # What peewee adds at run time, spelled out for the type checker: the
    # primary key here, and ``<field>_id`` beside each foreign key below.
    id: Any

    class Meta:
        database = database
        legacy_table_names = False


class Tenant(BaseModel):
    slug = pw.CharField(max_length=63, unique=True)
    name = pw.CharField(max_length=200)
    timezone = pw.CharField(max_length=64, default="Europe/Berlin")
    locale = pw.CharField(max_length=10, default="de")
    slot_granularity_min = pw.IntegerField(default=15)
    min_notice_min = pw.IntegerField(default=120)
    max_advance_days = pw.IntegerField(default=90)
    buffer_before_min = pw.IntegerField(default=0)
    buffer_after_min = pw.IntegerField(default=0)
    stealth_mode = pw.BooleanField(default=True)
    show_staff_names = pw.BooleanField(default=False)
    # Owners and managers must use a second factor (TOTP) before they get any
    # permission beyond setting it up. Only an owner may change this.
    require_totp = pw.BooleanField(default=False)
    # The tenant's sealing key: the service holds the public half only.
    public_key = pw.CharField(max_length=64, null=True)
    key_version = pw.IntegerField(default=0)
    # Client book rules (GDPR: data-minimal by default, retention, categories).
    profile_fields = pw.CharField(max_length=200, default="name email phone")
    retention_months = pw.IntegerField(default=24)
    regular_after_visits = pw.IntegerField(default=3)
    vip_after_spent_cents = pw.IntegerField(default=50_000)
    # National phone numbers (0170 …) are read with this country code.
    phone_country_code = pw.CharField(max_length=4, default="49")
    # Reminders: hours before the appointment ("24 2"; empty: none).
    reminder_hours = pw.CharField(max_length=40, default="24 2")
    # Channels the salon sends through (the transports are the operator's);
    # "staff": asking the team member to mark the outcome after an appointment.
    message_channels = pw.CharField(max_length=40, default="email sms staff")
    # Stealth mode's knobs as JSON: only overrides of ``stealth.DEFAULTS``.
    stealth_settings = pw.TextField(default="{}")
    # The salon's public profile (the booking page, confirmation and manage pages,
    # messages): all optional, empty when not given.
    address = pw.CharField(max_length=300, default="")
    phone = pw.CharField(max_length=40, default="")
    opening_hours = pw.TextField(default="")
    description = pw.TextField(default="")
    accent_colour = pw.CharField(max_length=7, default="")  # "#rrggbb" or ""
    imprint_url = pw.CharField(max_length=500, default="")  # https only
    privacy_url = pw.CharField(max_length=500, default="")
    # ISO 4217: the currency of every price (services, appointments).
    currency = pw.CharField(max_length=3, default="EUR")
    # Customers cancel or move online only until this many hours before the start.
    manage_deadline_hours = pw.IntegerField(default=24)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    # Moves on every write to what the public catalog shows (services, staff,
    # settings, notices, closures, the key): only by :func:`bump_tenant_version`.
    version = pw.IntegerField(default=0)

    def save(self, force_insert: bool = False, only: Any = None) -> Any:
        # A row read earlier must never write its older version number back.
        if only is None and not force_insert and self.id is not None:
            only = [f for f in self._meta.sorted_fields if f.name not in ("id", "version")]
        return super().save(force_insert=force_insert, only=only)


def bump_tenant_version(tenant_id: int) -> None:
    """Call inside the writer's transaction: one atomic ``version = version + 1``
    in SQL, committed with the write, so every process and node sees the new
    version exactly when it sees the new data (their caches key on it). Call it
    first: writers then queue on the tenant row before they lock anything else
    (no deadlock with a row lock taken later, e.g. the audit trail's)."""
    Tenant.update(version=Tenant.version + 1).where(Tenant.id == tenant_id).execute()


class TenantModel(BaseModel):
    tenant = pw.ForeignKeyField(Tenant, on_delete="CASCADE", index=True)
    tenant_id: Any


class Staff(TenantModel):
    """A personal account. Also the bookable team member when ``bookable``."""

    email = pw.CharField(max_length=254)
    display_name = pw.CharField(max_length=100)
    # What the public sees instead of the display name (a pseudonym), if set.
    public_name = pw.CharField(max_length=100, null=True)
    role = pw.CharField(max_length=16)
    bookable = pw.BooleanField(default=True)
    active = pw.BooleanField(default=True)
    password_hash = pw.CharField(max_length=255, null=True)
    must_change_password = pw.BooleanField(default=True)
    # Bumped on deactivation, role change and password change: every token
    # carrying an older version is refused at once.
    token_version = pw.IntegerField(default=1)
    # E-mails about appointments (new online booking, confirmation, cancellation,
    # move; the team member's own, or all of them for owner, manager and reception).
    notify_bookings = pw.BooleanField(default=True)

    @property
    def shown_name(self) -> str:
        """The name customers see (only where the business shows names)."""
        return self.public_name or self.display_name

    # Second factor (see :mod:`hushbook_service.accounts.totp`): the secret sealed with
    # AES-256-GCM under a key outside the database, never in plain text.
    totp_secret = pw.TextField(null=True)
    totp_enabled = pw.BooleanField(default=False)
    # The last accepted TOTP time step: a code works once (replay guard).
    totp_last_step = pw.BigIntegerField(default=0)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "email"), True),)


class Service(TenantModel):
    name = pw.CharField(max_length=120)
    description = pw.TextField(default="")
    duration_min = pw.IntegerField()
    price_cents = pw.IntegerField(default=0)
    buffer_before_min = pw.IntegerField(null=True)  # None: tenant default
    buffer_after_min = pw.IntegerField(null=True)
    active = pw.BooleanField(default=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)


class ServiceStaff(TenantModel):
    service = pw.ForeignKeyField(Service, on_delete="CASCADE", backref="staff_links")
    service_id: Any
    staff = pw.ForeignKeyField(Staff, on_delete="CASCADE", backref="service_links")
    staff_id: Any

    class Meta:
        indexes = ((("service", "staff"), True),)


class WorkingHours(TenantModel):
    """Weekly rule in the tenant's wall-clock time: a shift or a break."""

    staff = pw.ForeignKeyField(Staff, on_delete="CASCADE", backref="working_hours")
    staff_id: Any
    weekday = pw.SmallIntegerField()  # 0 = Monday
    kind = pw.CharField(max_length=8, default="shift")  # shift | break
    start = pw.TimeField(formats=["%H:%M:%S", "%H:%M"])
    end = pw.TimeField(formats=["%H:%M:%S", "%H:%M"])


class ScheduleException(TenantModel):
    """One-off hours for a date; a row without times means the day is off."""

    staff = pw.ForeignKeyField(Staff, on_delete="CASCADE", backref="exceptions")
    staff_id: Any
    date = pw.DateField()
    start = pw.TimeField(null=True, formats=["%H:%M:%S", "%H:%M"])
    end = pw.TimeField(null=True, formats=["%H:%M:%S", "%H:%M"])


class TimeOff(TenantModel):
    staff = pw.ForeignKeyField(Staff, on_delete="CASCADE", backref="time_off")
    staff_id: Any
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField()
    kind = pw.CharField(max_length=16, default="other")  # vacation | sick | training | other
    created_at = UTCDateTimeField(default=utcnow)


class Closure(TenantModel):
    """The whole salon closed (holidays, a renovation): whole local days
    ``date_from`` .. ``date_to`` (both inclusive) in the tenant's zone, time off
    for every team member (see ``scheduling.booking.closed_times``)."""

    date_from = pw.DateField()
    date_to = pw.DateField()
    label = pw.CharField(max_length=100, null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "date_from"), False),)


class Client(TenantModel):
    """A client of the business. Personal fields live only in ``profile``,
    sealed to the tenant's public key (see :mod:`hushbook_service.privacy.profiles`);
    ``client_key`` is the random record id the ciphertexts are bound to."""

    client_key = pw.CharField(max_length=64, null=True)
    profile = pw.BlobField(null=True)
    # Non-identifying figures the salon works with (readable without the vault).
    first_visit = UTCDateTimeField(null=True)
    last_visit = UTCDateTimeField(null=True)
    visits = pw.IntegerField(default=0)
    no_shows = pw.IntegerField(default=0)
    total_spent_cents = pw.IntegerField(default=0)
    category = pw.CharField(max_length=16, default="new", index=True)  # new | regular | vip
    birthday_month = pw.SmallIntegerField(null=True)  # only if the client agreed
    # Created by an online booking not confirmed yet: erased if it expires.
    pending = pw.BooleanField(default=False)
    # For retention; None on rows from before it existed (then created_at counts).
    last_activity_at = UTCDateTimeField(default=utcnow, null=True, index=True)
    created_at = UTCDateTimeField(default=utcnow)
    # backrefs (ClientIndex.client, Consent.client)
    index_entries: Any
    consents: Any


class Appointment(TenantModel):
    staff = pw.ForeignKeyField(Staff, on_delete="RESTRICT", backref="appointments")
    staff_id: Any
    service = pw.ForeignKeyField(Service, on_delete="RESTRICT")
    service_id: Any
    client = pw.ForeignKeyField(Client, null=True, on_delete="SET NULL")
    client_id: Any
    status = pw.CharField(max_length=16, default="confirmed", index=True)
    source = pw.CharField(max_length=16, default="staff")
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField()
    # Occupied time including the service's buffers: what overlap checks use.
    block_start = UTCDateTimeField()
    block_end = UTCDateTimeField()
    price_cents = pw.IntegerField(default=0)
    # Online bookings: unconfirmed (double opt-in) ones stop occupying at this time.
    pending_until = UTCDateTimeField(null=True)
    # Online bookings (stealth, migration 0014): by a contact with no kept appointment
    # yet (counts against the new-contact caps until kept); when it was confirmed.
    new_contact = pw.BooleanField(default=False)
    confirmed_at = UTCDateTimeField(null=True)
    created_by = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL", backref="+")
    created_by_id: Any
    # The customer's language ("de", "en") for messages and pages; None: the salon's.
    locale = pw.CharField(max_length=10, null=True)
    # RFC 5545 SEQUENCE of the calendar entry the customer holds: 0 when confirmed,
    # +1 per move and for the cancellation (see messaging.ledger).
    ics_sequence = pw.IntegerField(default=0)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("staff", "block_start", "block_end"), False),)


class RefreshToken(TenantModel):
    jti = pw.CharField(max_length=64, unique=True)
    family = pw.CharField(max_length=64, index=True)
    staff = pw.ForeignKeyField(Staff, on_delete="CASCADE")
    staff_id: Any
    expires_at = UTCDateTimeField()
    used_at = UTCDateTimeField(null=True)
    revoked_at = UTCDateTimeField(null=True)


class IntegrationKey(TenantModel):
    jti = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=100)
    scopes = pw.TextField()  # space-separated permissions
    created_by = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    created_by_id: Any
    created_at = UTCDateTimeField(default=utcnow)
    last_used_at = UTCDateTimeField(null=True)
    revoked_at = UTCDateTimeField(null=True)


class LoginAttempt(BaseModel):
    """Failed logins for throttling. ``subject`` is a hash, never an e-mail."""

    subject = pw.CharField(max_length=64, index=True)
    ip = pw.CharField(max_length=45, index=True)
    at = UTCDateTimeField(default=utcnow, index=True)


class ClientIndex(TenantModel):
    """Keyed blind index of a normalised e-mail or phone: recognises returning
    clients without storing the contact (see docs/threat-model.md)."""

    client = pw.ForeignKeyField(Client, on_delete="CASCADE", backref="index_entries")
    client_id: Any
    kind = pw.CharField(max_length=8)  # email | phone
    digest = pw.CharField(max_length=64)

    class Meta:
        indexes = ((("tenant", "kind", "digest"), False), (("client", "kind", "digest"), True))


class PrivacyNotice(TenantModel):
    """The privacy notice text a consent refers to, versioned per language."""

    version = pw.IntegerField()
    locale = pw.CharField(max_length=10)
    text = pw.TextField()
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "version", "locale"), True),)


class Consent(TenantModel):
    """Which notice a client agreed to, when, and for what."""

    client = pw.ForeignKeyField(Client, on_delete="CASCADE", backref="consents")
    client_id: Any
    notice_version = pw.IntegerField()
    locale = pw.CharField(max_length=10)
    purposes = pw.CharField(max_length=200)  # space-separated: booking reminders birthday …
    given_at = UTCDateTimeField(default=utcnow)
    source = pw.CharField(max_length=16, default="staff")  # staff | online
    # An online booking's consent by a returning client: dropped if that booking
    # is never confirmed (the contact's owner may not have given it).
    appointment = pw.IntegerField(null=True)


class DeliveryContact(TenantModel):
    """The contact to send messages to, sealed to the delivery key of its month.
    Deleting that month's private key (after the grace period) shreds it."""

    appointment = pw.ForeignKeyField(Appointment, on_delete="CASCADE", unique=True)
    appointment_id: Any
    epoch = pw.CharField(max_length=7)  # YYYY-MM of the appointment
    sealed = pw.TextField()
    # Which contacts are inside ("email", "phone", "email phone", "phone email"):
    # the channels to schedule messages on, without opening the contact; the
    # customer's preferred one first (the other is only a fallback).
    kinds = pw.CharField(max_length=20, default="email")
    created_at = UTCDateTimeField(default=utcnow)


class VaultMember(TenantModel):
    """A member's own key pair: public half, and the private half wrapped under
    the member's passphrase on the member's side (the service never sees it)."""

    staff = pw.ForeignKeyField(Staff, on_delete="CASCADE", unique=True)
    staff_id: Any
    public_key = pw.CharField(max_length=64)
    wrapped_private_key = pw.TextField()  # JSON from hushbook.sealing.wrap_private_key
    updated_at = UTCDateTimeField(default=utcnow)


class VaultGrant(TenantModel):
    """The tenant's private key sealed to one member's public key: a read grant."""

    staff = pw.ForeignKeyField(Staff, on_delete="CASCADE")
    staff_id: Any
    key_version = pw.IntegerField()
    sealed_tenant_key = pw.TextField()
    granted_by = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL", backref="+")
    granted_by_id: Any
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("staff", "key_version"), True),)


class AuditEvent(TenantModel):
    """One link of the tenant's hash chain (see :mod:`hushbook_service.audit`)."""

    seq = pw.IntegerField()
    at = UTCDateTimeField(index=True)
    actor_kind = pw.CharField(max_length=16)  # staff | integration | anonymous | system
    actor_id = pw.IntegerField(null=True)
    action = pw.CharField(max_length=64, index=True)
    target_kind = pw.CharField(max_length=32, null=True)
    target_id = pw.IntegerField(null=True)
    ip = pw.CharField(max_length=45, default="")
    details = pw.TextField(default="{}")  # ids and field names only
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)

    class Meta:
        indexes = ((("tenant", "seq"), True),)


MESSAGE_KINDS = (
    "confirm_request",  # double opt-in: link and code
    "confirmed",  # with .ics and manage link
    "reminder_1",  # reminders, in the order of the tenant's reminder_hours
    "reminder_2",
    "reminder_3",
    "rescheduled",
    "cancelled",
    "mark_outcome",  # to the staff member after the end: complete or no-show? (ids only)
    # To the team (each person their own appointments; owner, manager, reception all),
    # ids, time and service only: never client data.
    "team_booked",  # a new online booking (not confirmed yet)
    "team_confirmed",  # the customer (or the salon) confirmed it
    "team_cancelled",
    "team_rescheduled",
)
MESSAGE_STATES = ("pending", "queued", "sending", "sent", "failed", "skipped", "revoked")


class Message(TenantModel):
    """One message of the ledger: sent exactly once per (appointment, kind, channel).

    The sender claims the row (``sending``, with a lease) before it sends and
    records the result after; a sweeper re-queues due rows whose task was lost.
    Re-arming (a reschedule) bumps ``version``. No contact data here."""

    appointment = pw.ForeignKeyField(Appointment, on_delete="CASCADE", backref="messages")
    appointment_id: Any
    kind = pw.CharField(max_length=20)
    channel = pw.CharField(max_length=8)  # email | sms | staff (the team member's e-mail)
    # channel "staff": 0 = the appointment's team member (mark_outcome), else the id of
    # the team member told (team_* kinds). 0 for the customer's channels.
    recipient = pw.IntegerField(default=0)
    due_at = UTCDateTimeField(index=True)
    state = pw.CharField(max_length=10, default="pending", index=True)
    version = pw.IntegerField(default=1)
    attempts = pw.IntegerField(default=0)
    lease_until = pw.DoubleField(default=0)  # epoch seconds (wall clock) of a queue/claim
    last_error = pw.CharField(max_length=64, default="")  # a reason code, never a message
    provider_id = pw.CharField(max_length=200, default="")
    sent_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("appointment", "kind", "channel", "recipient"), True),)


class SpentToken(BaseModel):
    """A single-use token's ``jti`` (offers, proofs-of-work): the unique key
    makes a second use fail, even when two arrive at the same instant."""

    jti = pw.CharField(max_length=64, unique=True)
    kind = pw.CharField(max_length=16)
    expires_at = UTCDateTimeField(index=True)


class MeterBucket(BaseModel):
    """A token bucket of stealth-mode metering, shared by every worker.

    ``key`` is a keyed hash of (tenant, kind, value): no IP address is stored."""

    key = pw.CharField(max_length=64, unique=True)
    level = pw.DoubleField()
    updated = pw.DoubleField()  # epoch seconds


class PendingHold(TenantModel):
    """Who an unconfirmed online booking counts against (pending caps): keyed
    hashes of contact, visitor session, IP and subnet. Dropped on cancellation or
    expiry, and on confirmation unless a new contact booked (then it counts until
    the appointment has begun)."""

    appointment = pw.ForeignKeyField(Appointment, on_delete="CASCADE", backref="holds")
    appointment_id: Any
    kind = pw.CharField(max_length=12)  # contact | session | ip | subnet
    digest = pw.CharField(max_length=64)

    class Meta:
        indexes = ((("tenant", "kind", "digest"), False),)


class RevealedStart(TenantModel):
    """A start the showcase revealed to an unverified visitor: shown again rather
    than a new one; with the name, counted against its date's disclosure budget
    (stealth, migrations 0014, 0015). Forgotten once its date has passed."""

    day = pw.DateField()  # the start's local date
    staff_id = pw.IntegerField()
    start = pw.BigIntegerField()  # epoch seconds
    until = pw.BigIntegerField(default=0)  # epoch seconds: the longest offer's end
    named_until = pw.BigIntegerField(default=0)  # the longest offer with a name (0: none)

    class Meta:
        indexes = ((("tenant", "day", "staff_id", "start"), True),)


class BlockedContact(TenantModel):
    """A contact that may not book online: its blind index, never the contact."""

    kind = pw.CharField(max_length=8)  # email | phone
    digest = pw.CharField(max_length=64)
    reason = pw.CharField(max_length=16, default="manual")  # manual | no_shows
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "kind", "digest"), True),)


class IdempotencyRecord(TenantModel):
    """One ``Idempotency-Key`` of one caller (see :mod:`hushbook_service.resources.idempotency`).

    Neither the key nor the request is stored: ``key_digest`` is a keyed hash of
    (tenant, caller, key), ``fingerprint`` a keyed hash of method, path and body,
    and ``sealed`` the response (headers and body) encrypted under a key derived
    from the caller's own ``Idempotency-Key``. ``status`` is None while the first
    request runs; ``lock`` is the token of the request allowed to finish it."""

    caller = pw.CharField(max_length=24)  # "staff:<id>" or "key:<id>"
    key_digest = pw.CharField(max_length=64)
    fingerprint = pw.CharField(max_length=64)
    lock = pw.CharField(max_length=32, null=True)
    locked_at = UTCDateTimeField()
    status = pw.SmallIntegerField(null=True)
    content_type = pw.CharField(max_length=100, null=True)
    sealed = pw.BlobField(null=True)
    expires_at = UTCDateTimeField(index=True)

    class Meta:
        indexes = ((("tenant", "caller", "key_digest"), True),)


class ShortLink(TenantModel):
    """A short code in a message (``/m/AB12CD34``) standing for a confirmation or
    manage link (see :mod:`hushbook_service.messaging.links`). Only a keyed hash
    of the code is stored; the long token is minted again when it is opened."""

    appointment = pw.ForeignKeyField(Appointment, on_delete="CASCADE", backref="+")
    appointment_id: Any
    purpose = pw.CharField(max_length=8)  # confirm | manage
    digest = pw.CharField(max_length=64, unique=True)
    expires_at = UTCDateTimeField(index=True)
    created_at = UTCDateTimeField(default=utcnow)


class SchemaMigration(BaseModel):
    version = pw.IntegerField(primary_key=True)
    name = pw.CharField(max_length=100)
    applied_at = UTCDateTimeField(default=utcnow)


ALL_MODELS = [
    Tenant,
    Staff,
    Service,
    ServiceStaff,
    WorkingHours,
    ScheduleException,
    TimeOff,
    Client,
    Appointment,
    RefreshToken,
    IntegrationKey,
    LoginAttempt,
    AuditEvent,
    VaultMember,
    VaultGrant,
    ClientIndex,
    PrivacyNotice,
    Consent,
    DeliveryContact,
    Message,
    SpentToken,
    MeterBucket,
    PendingHold,
    RevealedStart,
    BlockedContact,
    IdempotencyRecord,
    Closure,
    ShortLink,
]
