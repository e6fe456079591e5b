"""How long a booking that trips the honeypot takes, next to a real one (issue 16).

Run:  .venv/bin/python bench/honeypot_timing.py [--rounds 40]

A bot that fills the hidden ``website`` field gets the answer of a successful
booking and nothing is kept. If that answer came back much faster than a real
booking's, the bot could tell it had been caught. The service therefore runs
the whole booking (client, sealing, the slot, holds, messages, audit) in a
savepoint and undoes it. This prints, for ``POST /v1/public/{slug}/bookings``:

  real      a booking as the widget sends it (202, pending)
  honeypot  the same with ``website`` filled (202, nothing kept)

each as median and 90th percentile in milliseconds, and their ratio (1.0 is
equal). Real and honeypot bookings take turns, so a change in the machine's
load touches both alike. Only the booking request is timed: the session, the
proof-of-work and the offers before it are set-up.

Set-up (not measured): a fresh SQLite instance in a temporary folder, the app
in this process (Flask's test client, no HTTP), one salon with three team
members working 08:00-20:00 every day and one 30-minute service, a vault at
test cost, puzzles of 8 bits, caps wide enough that none refuses. Each booking
comes from its own visitor session with a plain profile (sealed on arrival)
and its own e-mail address. Figures only, nothing asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from machine import describe

SLUG = "bench-salon"
CONSENT = {"notice_version": 1, "locale": "de", "purposes": ["booking"]}
WIDE = {
    "pow_base_bits": 8,
    "min_fill_seconds": 0,
    "asks_per_session_hour": 1000,
    "asks_per_ip_day": 100_000,
    "asks_per_subnet_day": 100_000,
    "asks_per_wide_subnet_day": 1_000_000,
    "pending_per_contact": 20,
    "pending_per_session": 20,
    "pending_per_ip": 100,
    "pending_per_subnet": 1000,
    "pending_salon_share_pct": 100,
}


def make_salon(app) -> int:
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.migrations import migrate
    from hushbook_service.models import PrivacyNotice, Service, ServiceStaff, Staff, WorkingHours
    from hushbook_service.privacy.vault import setup_locally

    with app.app_context(), database.connection_context():
        migrate(database.obj)
        tenant, owner, _ = create_tenant(SLUG, "Salon Bench", "owner@salon.bench", scrypt_log_n=10)
        setup_locally(tenant, owner, "bench passphrase", log_n=10, min_log_n=10)
        tenant.stealth_settings = json.dumps(WIDE)
        tenant.save()
        service = Service.create(tenant=tenant, name="Cut", duration_min=30, price_cents=3000)
        for i in range(3):
            member = Staff.create(
                tenant=tenant,
                email=f"stylist{i}@salon.bench",
                display_name=f"Stylist {i}",
                role="staff",
            )
            ServiceStaff.create(tenant=tenant, service=service, staff=member)
            for weekday in range(7):
                WorkingHours.create(
                    tenant=tenant, staff=member, weekday=weekday, start="08:00", end="20:00"
                )
        PrivacyNotice.create(tenant=tenant, version=1, locale="de", text="Nur für den Termin.")
        return service.id


def offer(http, service_id: int, first: date) -> tuple[str, str]:
    """A fresh visitor's session and an offer for it (set-up, not timed)."""
    from hushbook.public import solve_pow

    def proof(session: str | None) -> tuple[str, dict]:
        res = http.post(
            f"/v1/public/{SLUG}/challenge", json={"session": session} if session else {}
        )
        body = res.get_json()
        nonce = solve_pow(body["challenge_id"], body["bits"])
        return body["session"], {"challenge": body["challenge"], "nonce": nonce}

    session, pow_ = proof(None)
    wish = {
        "session": session,
        "pow": pow_,
        "service_id": service_id,
        "date_from": first.isoformat(),
        "date_to": (first + timedelta(days=6)).isoformat(),
    }
    res = http.post(f"/v1/public/{SLUG}/offers", json=wish)
    offers = res.get_json()["offers"]
    if not offers:
        raise SystemExit(f"no offers: {res.get_json()}")
    return session, offers[0]["token"]


def book(http, service_id: int, first: date, i: int, honeypot: bool) -> float:
    from hushbook.public import solve_pow

    session, token = offer(http, service_id, first)
    challenge = http.post(f"/v1/public/{SLUG}/challenge", json={"session": session}).get_json()
    body = {
        "session": session,
        "pow": {
            "challenge": challenge["challenge"],
            "nonce": solve_pow(challenge["challenge_id"], challenge["bits"]),
        },
        "offer": token,
        "profile": {"name": f"Kundin {i}"},
        "contact": {"email": f"kundin{i}@example.org"},
        "consent": CONSENT,
        "website": "http://spam.example" if honeypot else "",
    }
    t0 = time.perf_counter()
    res = http.post(f"/v1/public/{SLUG}/bookings", json=body)
    elapsed = (time.perf_counter() - t0) * 1000
    if res.status_code != 202:
        raise SystemExit(f"{'honeypot' if honeypot else 'real'}: {res.status_code} {res.text}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    from hushbook_service import create_app
    from hushbook_service.config import load_settings
    from hushbook_service.db import database
    from hushbook_service.models import Appointment

    with tempfile.TemporaryDirectory(prefix="hushbook-bench-honeypot-") as tmp:
        root = Path(tmp)
        settings = load_settings(
            instance=root / "instance",
            database_url=f"sqlite:///{root / 'hushbook.db'}",
            huey_url=f"sqlite:///{root / 'huey.db'}",
            scrypt_log_n=10,
        )
        app = create_app(settings)
        logging.getLogger().setLevel(logging.WARNING)
        service_id = make_salon(app)
        http = app.test_client()
        first = datetime.now().date() + timedelta(days=2)
        book(http, service_id, first, -1, False)  # warm-up, not reported
        book(http, service_id, first, -2, True)
        times: dict[str, list[float]] = {"real": [], "honeypot": []}
        for i in range(args.rounds):
            # the days move on so that the salon never runs out of free times
            day = first + timedelta(days=(i // 8) * 7)
            order = (False, True) if i % 2 else (True, False)
            for honeypot in order:
                times["honeypot" if honeypot else "real"].append(
                    book(http, service_id, day, i * 2 + honeypot, honeypot)
                )
        with app.app_context(), database.connection_context():
            kept = Appointment.select().count()
    print(describe("bench/honeypot_timing.py"))
    print(f"in-process (Flask test client), SQLite, {args.rounds} rounds; {kept} bookings kept")
    print()
    print(f"{'class':<10} {'median ms':>10} {'p90 ms':>8}")
    medians = {}
    for kind, values in times.items():
        values.sort()
        medians[kind] = statistics.median(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        print(f"{kind:<10} {medians[kind]:>10.1f} {p90:>8.1f}")
    print()
    print(f"honeypot / real (medians): {medians['honeypot'] / medians['real']:.2f}x")


if __name__ == "__main__":
    main()
