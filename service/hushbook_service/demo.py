"""A demo salon with a realistic team, services, hours and some bookings."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hushbook_service.accounts import passwords
from hushbook_service.accounts.tenants import create_tenant
from hushbook_service.db import database, utcnow, write_transaction
from hushbook_service.errors import DomainError
from hushbook_service.models import (
    Appointment,
    Client,
    PrivacyNotice,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
    WorkingHours,
)
from hushbook_service.privacy import clientbook, clients, vault
from hushbook_service.scheduling import booking

DEMO_SLUG = "demo"
TEAM = [
    # display name, role, weekdays (0=Mon), start, end, lunch
    ("Anna", "manager", (1, 2, 3, 4, 5), time(9), time(18), (time(13), time(13, 30))),
    ("Ben", "staff", (0, 1, 2, 3, 4), time(10), time(19), (time(14), time(14, 30))),
    ("Clara", "staff", (2, 3, 4, 5), time(8), time(16), (time(12), time(12, 30))),
    ("Deniz", "staff", (1, 3, 4, 5), time(11), time(20), (time(15), time(15, 30))),
]
SERVICES = [
    # name, minutes, price in cents, buffer after, who (indexes into TEAM)
    ("Haircut / Haarschnitt", 45, 4500, 10, (0, 1, 2, 3)),
    ("Colour / Färben", 120, 9500, 15, (0, 2)),
    ("Beard trim / Bart", 20, 1800, 5, (1, 3)),
    ("Massage 60 min", 60, 7000, 15, (3,)),
]


NOTICES = {
    "de": "Salon Demo verarbeitet Ihren Namen und Ihre Kontaktdaten nur, um Ihren Termin "
    "zu vereinbaren, zu bestätigen und Sie daran zu erinnern. Die Daten sind verschlüsselt; "
    "Sie können Auskunft, Export und Löschung jederzeit verlangen.",
    "en": "Salon Demo processes your name and contact details only to arrange, confirm and "
    "remind you of your appointment. The data is encrypted; you may ask for access, export "
    "and erasure at any time.",
}

DEMO_VAULT_PASSPHRASE = "demo vault passphrase - change me"  # noqa: S105 - demo only, printed


def seed_demo(scrypt_log_n: int, bookings: int = 40, seed: int = 7) -> tuple[Tenant, str | None]:
    """Create the demo salon once. Returns it and the owner's one-time password
    (None when the salon already existed). The owner's vault is set up here,
    on the owner's side, with :data:`DEMO_VAULT_PASSPHRASE`."""
    existing = Tenant.get_or_none(Tenant.slug == DEMO_SLUG)
    if existing is not None:
        return existing, None
    tenant, owner, secret = create_tenant(
        DEMO_SLUG,
        "Salon Demo",
        "owner@demo.hushbook.test",
        owner_name="Olga (Owner)",
        scrypt_log_n=scrypt_log_n,
    )
    vault.setup_locally(tenant, owner, DEMO_VAULT_PASSPHRASE)
    rng = random.Random(seed)
    with database.atomic():
        # What /book/demo shows of the salon (fictitious, like everything here).
        Tenant.update(
            description="Schnitt, Farbe und Pflege – ein erfundener Salon zum Ausprobieren.",
            address="Musterstraße 1\n10115 Berlin",
            phone="+49 30 0000000",
            opening_hours="Mo–Fr 9–18 Uhr\nSa 9–14 Uhr",
        ).where(Tenant.id == tenant.id).execute()
        for locale, text in NOTICES.items():  # online booking asks for consent to version 1
            PrivacyNotice.create(tenant=tenant, version=1, locale=locale, text=text)
        team = []
        for name, role, days, start, end, lunch in TEAM:
            member = Staff.create(
                tenant=tenant,
                email=f"{name.lower()}@demo.hushbook.test",
                display_name=name,
                role=role,
                password_hash=passwords.hash_password(passwords.one_time_password(), scrypt_log_n),
            )
            team.append(member)
            for day in days:
                WorkingHours.create(tenant=tenant, staff=member, weekday=day, start=start, end=end)
                WorkingHours.create(
                    tenant=tenant,
                    staff=member,
                    weekday=day,
                    kind="break",
                    start=lunch[0],
                    end=lunch[1],
                )
        services = []
        for name, minutes, price, after, who in SERVICES:
            service = Service.create(
                tenant=tenant,
                name=name,
                duration_min=minutes,
                price_cents=price,
                buffer_after_min=after,
            )
            services.append((service, [team[i] for i in who]))
            for i in who:
                ServiceStaff.create(tenant=tenant, service=service, staff=team[i])
    _seed_bookings(tenant, services, bookings, rng)
    return tenant, secret


# Fictitious clients (the demo's vault passphrase is public: never real data).
CLIENT_NAMES = (
    "Anna Beispiel",
    "Ben Muster",
    "Clara Probe",
    "David Demo",
    "Eva Fiktiv",
    "Felix Testmann",
    "Greta Vorlage",
    "Hanna Entwurf",
    "Ilias Skizze",
    "Jana Modell",
    "Karl Attrappe",
    "Lena Platzhalter",
)


def _seed_bookings(tenant, services, count, rng) -> None:
    """Occupy some realistic times from today over the next two weeks: most for
    fictitious returning clients (sealed like any other), some walk-ins."""
    tenant = Tenant.get_by_id(tenant.id)  # with the public key the vault set-up stored
    tz = ZoneInfo(tenant.timezone)
    today = utcnow().astimezone(tz).date()
    placed = attempts = 0
    while placed < count and attempts < count * 20:
        attempts += 1
        service, team = rng.choice(services)
        member = rng.choice(team)
        day = today + timedelta(days=rng.randint(0, 13))
        local = datetime.combine(day, time(rng.randint(8, 18), rng.choice((0, 15, 30, 45))), tz)
        name = rng.choice(CLIENT_NAMES) if rng.random() < 0.8 else None
        try:
            with write_transaction():
                appointment = Appointment(
                    status="confirmed",
                    source="phone" if name else "walk_in",
                    price_cents=service.price_cents,
                )
                if name:
                    appointment.client = _demo_client(tenant, name)
                booking.occupy(
                    appointment, tenant=tenant, staff=member, service=service, start=local
                )
            placed += 1
        except DomainError:
            continue


def _demo_client(tenant: Tenant, name: str) -> Client:
    """The client called ``name``, created (sealed to the salon's key) on first use."""
    contacts = {"email": name.lower().replace(" ", ".") + "@example.invalid"}
    found = clientbook.find_returning(tenant.id, contacts)
    if found is not None:
        return found
    return clients.create_client(tenant, {"profile": {"name": name, **contacts}}, source="staff")
