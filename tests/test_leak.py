"""Acceptance "leak test" for the zero-access promise (docs/threat-model.md).

*A full copy of the database, the job queue and the logs reveals no client's
name, contact, birthday or notes, and the operator cannot decrypt them.*

A real server (gunicorn, 2 workers) and a real Huey worker run on the test
database; distinctive personal values go in through the HTTP API only, on
every path that takes them; the jobs run; then every byte the operator holds
(database file or ``pg_dump``, WAL, the Huey store, the instance folder with
secrets and delivery keys, server and worker logs) is searched for those
values in many encodings. A public value (a service name) must be found:
proof that the scan reads what it claims to.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller

from hushbook import sealing
from hushbook_service.db import database, utcnow
from hushbook_service.models import Appointment, Client, DeliveryContact
from support.api import ALL_WEEK, local_iso, next_local_day
from support.config import on_postgres
from support.leak import collect_files, dump_stores, needles, scan
from support.processes import free_port, server_log, start_server, stop_server

pytestmark = pytest.mark.system

# A public value (a service name is not personal data): it MUST be found.
CONTROL = "Leakcheck Balayage Deluxe"

# Each client's values; none of them may appear anywhere in the copy.
XAVERINE = {  # POST /v1/clients, plain profile, consent, birthday month; lookups
    "name": "Xaverine Quixotic-Leakcheck",
    "email": "xaverine.leak@example.org",
    "phone": "+49 151 98765432",
    "birthday": "1987-06-05",
    "notes": "prefers lavender oil, allergic to nickel",
}
ZANETA = {  # unicode everywhere; a national phone number
    "name": "Żaneta Ŋłøß",
    "email": "zaneta.szczebrzeszyn@example.com",
    "phone": "0171 2468013",
    "birthday": "1963-11-29",
    "notes": "Kürbiskern-Allergie, trinkt Ümlaut-Tee 🍵",
}
BARTHOLOMEW = {  # POST /v1/appointments with a new client and notify contacts
    "name": "Bartholomew Zymurgy-Pellucid",
    "phone": "+44 7700 900461",
    "notes": "scalp psoriasis — mild shampoo only",
}
BARTHOLOMEW_NOTIFY = {"email": "bartholomew.zymurgy@example.co.uk", "phone": "+44 7700 900461"}
OUARDA = {"name": "Ouarda Ferhat-Yılmaz", "phone": "+33 6 12 34 98 76"}
QUILLON = {  # sealed on the writer's side; contacts sent for the blind index
    "name": "Quillon Vexbridge",
    "email": "quillon.vexbridge@example.org",
    "phone": "+1 (415) 555-0199",
    "notes": "Hört gern Fado, hat Angst vor Scheren",
}
ERASMUS = {  # erased (Art. 17) through the API
    "name": "Erasmus Forgetmenot",
    "email": "erasmus.forgetmenot@example.org",
    "phone": "+49 30 55501234",
}
RUTGER = {"name": "Rutger Stalewood", "email": "rutger.stalewood@example.org"}  # retention
# Only ever sent in requests that are refused.
REFUSED = {
    "invalid e-mail": "valentin.invalidus@@example",
    "invalid phone": "+49 VALENTIN 4242",
    "refused name": "Valentin Invalidus-Zwerchfell",
    "invalid notify e-mail": "nadine.notifail(at)example.org",
    "failed login e-mail": "lorelei.loginfail@example.org",
}
# Distinctive fragments: a partial leak (a truncated log line) still counts.
FRAGMENTS = [
    "Xaverine",
    "Quixotic",
    "lavender oil",
    "allergic to nickel",
    "98765432",
    "Żaneta",
    "Ŋłøß",
    "szczebrzeszyn",
    "2468013",
    "Kürbiskern",
    "Ümlaut-Tee",
    "Zymurgy",
    "Pellucid",
    "psoriasis",
    "900461",
    "Ouarda",
    "Ferhat",
    "Yılmaz",
    "12349876",
    "Vexbridge",
    "Angst vor Scheren",
    "5550199",
    "Forgetmenot",
    "55501234",
    "Stalewood",
    "Valentin",
    "Zwerchfell",
    "notifail",
    "loginfail",
]
# Phones as a normaliser or a form would write them.
PHONE_FORMS = [
    "+4915198765432",
    "4915198765432",
    "015198765432",
    "+491712468013",
    "491712468013",
    "01712468013",
    "+447700900461",
    "447700900461",
    "07700900461",
    "+33612349876",
    "33612349876",
    "0612349876",
    "+14155550199",
    "14155550199",
    "4155550199",
    "+493055501234",
    "493055501234",
    "03055501234",
]
BIRTHDAY_FORMS = ["05.06.1987", "19870605", "06/05/1987", "29.11.1963", "19631129", "11/29/1963"]


def personal_values() -> dict[str, str]:
    """label -> value: everything that must never be found."""
    values: dict[str, str] = {}
    people = {
        "xaverine": XAVERINE,
        "zaneta": ZANETA,
        "bartholomew": BARTHOLOMEW,
        "bartholomew.notify": BARTHOLOMEW_NOTIFY,
        "ouarda": OUARDA,
        "quillon": QUILLON,
        "erasmus": ERASMUS,
        "rutger": RUTGER,
    }
    for who, profile in people.items():
        for field, value in profile.items():
            values[f"{who}.{field}"] = value
            if field == "email":
                values[f"{who}.{field}.local"] = value.split("@")[0]
    values.update({f"refused: {k}": v for k, v in REFUSED.items()})
    values["refused: login local part"] = REFUSED["failed login e-mail"].split("@")[0]
    values.update({f"fragment {v!r}": v for v in FRAGMENTS})
    values.update({f"phone form {v}": v for v in PHONE_FORMS})
    values.update({f"birthday form {v}": v for v in BIRTHDAY_FORMS})
    return values


# --- collecting the operator's copy -------------------------------------------------------


def hot_copy(settings, root: Path, tag: str) -> dict[str, bytes]:
    """A copy taken while everything runs (SQLite WAL and -shm, queued jobs)."""
    dump_stores(settings, root / "dumps", tag)
    return {
        f"{tag}/{name}": data
        for name, data in collect_files(root).items()
        if not name.startswith("dumps/")
    }


# --- the API, as an owner's app would call it --------------------------------------------


class Api:
    def __init__(self, url: str, headers: dict[str, str]):
        self.url, self.http = url, requests.Session()
        self.http.headers.update(headers)
        self.responses: list[str] = []  # for "validation errors echo nothing"

    def call(self, method: str, path: str, expect: int, **kw) -> requests.Response:
        r = self.http.request(method, f"{self.url}{path}", timeout=30, **kw)
        self.responses.append(r.text)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r


def start_worker(server, log_path: Path, smtp_port: int) -> subprocess.Popen:
    log = open(log_path, "wb")  # noqa: SIM115 - lives with the process
    # Messages really go out (to a local SMTP server outside the copied folder):
    # what a recipient receives is not the operator's storage.
    env = {
        **server.env,
        "HUSHBOOK_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}?security=none",
        "HUSHBOOK_SWEEP_SECONDS": "0.5",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "hushbook_service.cli", "worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


class Mailbox:
    """The receiving end of the messages (an SMTP server); it only counts."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received += 1
        return "250 OK"


def stop_worker(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGINT)  # graceful: finish the running task
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def past_visit(app, t, service_id: int, client_id: int, days_ago: int) -> int:
    """A visit in the past (the API only books the future): ids only, no personal data."""
    with app.app_context(), database.connection_context():
        start = utcnow() - timedelta(days=days_ago)
        end = start + timedelta(minutes=45)
        return Appointment.create(
            tenant=t.tenant.id,
            staff=t.stylist.staff.id,
            service=service_id,
            client=client_id,
            status="confirmed",
            start_at=start,
            end_at=end,
            block_start=start,
            block_end=end,
            price_cents=9900,
        ).id


def seed(api: Api, app, t) -> dict:
    """Every path that takes client data, through the HTTP API."""
    stylist_id = t.stylist.staff.id
    api.call("PUT", f"/v1/staff/{stylist_id}/working-hours", 200, json={"rules": ALL_WEEK})
    service = api.call(
        "POST",
        "/v1/services",
        201,
        json={"name": CONTROL, "duration_min": 45, "price_cents": 9900, "staff_ids": [stylist_id]},
    ).json()
    etag = api.call("GET", "/v1/tenant", 200).headers["ETag"]
    api.call(
        "PATCH",
        "/v1/tenant",
        200,
        headers={"If-Match": etag},
        json={"profile_fields": ["name", "email", "phone", "birthday", "notes"]},
    )
    notice = api.call(
        "POST",
        "/v1/tenant/privacy-notices",
        201,
        json={"locale": "de", "text": "Wir verarbeiten Ihre Daten nur für die Terminbuchung."},
    ).json()
    consent = {
        "notice_version": notice["version"],
        "locale": "de",
        "purposes": ["booking", "reminders", "birthday"],
    }

    ids = {}
    ids["xaverine"] = api.call(
        "POST",
        "/v1/clients",
        201,
        json={"profile": XAVERINE, "consent": consent, "birthday_month": 6},
    ).json()["id"]
    ids["zaneta"] = api.call(
        "POST", "/v1/clients", 201, json={"profile": ZANETA, "consent": consent}
    ).json()["id"]
    client_key = sealing.new_client_key()
    ids["quillon"] = api.call(
        "POST",
        "/v1/clients",
        201,
        json={
            "sealed_profile": sealing.seal_profile(
                t.tenant_key.public_key(), t.tenant.id, client_key, QUILLON
            ),
            "client_key": client_key,
            "contacts": {"email": QUILLON["email"], "phone": QUILLON["phone"]},
        },
    ).json()["id"]
    ids["erasmus"] = api.call("POST", "/v1/clients", 201, json={"profile": ERASMUS}).json()["id"]
    ids["rutger"] = api.call("POST", "/v1/clients", 201, json={"profile": RUTGER}).json()["id"]

    day = next_local_day()
    booking = {"service_id": service["id"], "staff_id": stylist_id}
    made = api.call(
        "POST",
        "/v1/appointments",
        201,
        json={
            **booking,
            "start": local_iso(day, 10),
            "client": {"profile": BARTHOLOMEW, "consent": consent},
            "notify": BARTHOLOMEW_NOTIFY,
        },
    ).json()
    ids["bartholomew"], ids["bartholomew.appointment"] = made["client_id"], made["id"]
    assert t.open(made["client"]) == BARTHOLOMEW
    made = api.call(
        "POST",
        "/v1/appointments",
        201,
        json={
            **booking,
            "start": local_iso(day, 11),
            "source": "walk_in",
            "client": {"profile": OUARDA},
            "notify": {"phone": OUARDA["phone"]},
        },
    ).json()
    ids["ouarda"] = made["client_id"]
    made = api.call(
        "POST",
        "/v1/appointments",
        201,
        json={
            **booking,
            "start": local_iso(day, 12),
            "client_id": ids["xaverine"],
            "notify": {"email": XAVERINE["email"]},
        },
    ).json()
    # Moved into another month: the contact is sealed again for that month.
    etag = api.call("GET", f"/v1/appointments/{made['id']}", 200).headers["ETag"]
    api.call(
        "PATCH",
        f"/v1/appointments/{made['id']}",
        200,
        headers={"If-Match": etag},
        json={"start": local_iso(next_local_day(40), 12)},
    )
    api.call(
        "POST",
        "/v1/appointments",
        201,
        json={
            **booking,
            "start": local_iso(day, 14),
            "client_id": ids["erasmus"],
            "notify": {"email": ERASMUS["email"], "phone": ERASMUS["phone"]},
        },
    )
    # A taken slot: the new client's row is rolled back with the booking.
    api.call(
        "POST",
        "/v1/appointments",
        409,
        json={
            **booking,
            "start": local_iso(day, 10),
            "client": {"profile": ZANETA},
            "notify": {"email": ZANETA["email"]},
        },
    )

    # Returning clients: lookups by contact, written differently than stored.
    for probe in (
        {"email": XAVERINE["email"].upper()},
        {"phone": "0151 98765432"},
        {"email": QUILLON["email"]},
        {"phone": "+49 171 2468013"},
    ):
        found = api.call("POST", "/v1/clients/lookup", 200, json=probe).json()
        assert len(found) == 1, probe
    # Export (Art. 15/20): sealed, opened on the reader's side only.
    export = api.call("GET", f"/v1/clients/{ids['xaverine']}/export", 200).json()
    assert t.open(export["client"]) == XAVERINE
    assert export["delivery_contacts"] and export["consents"]
    # Visits: completed and no-show (past rows; the client came through the API).
    done = past_visit(app, t, service["id"], ids["xaverine"], 20)
    api.call("POST", f"/v1/appointments/{done}/complete", 200)
    missed = past_visit(app, t, service["id"], ids["zaneta"], 10)
    api.call("POST", f"/v1/appointments/{missed}/no-show", 200)
    assert api.call("GET", f"/v1/clients/{ids['xaverine']}", 200).json()["figures"]["visits"] == 1
    # Erasure (Art. 17).
    api.call("DELETE", f"/v1/clients/{ids['erasmus']}", 204)
    api.call("GET", f"/v1/clients/{ids['erasmus']}", 404)
    assert (
        api.call("POST", "/v1/clients/lookup", 200, json={"email": ERASMUS["email"]}).json() == []
    )
    api.call("GET", "/v1/clients", 200)

    # Refused input: rejected without echoing it back (and, below, without keeping it).
    start = len(api.responses)
    api.call(
        "POST",
        "/v1/clients",
        422,
        json={"profile": {"name": REFUSED["refused name"], "email": REFUSED["invalid e-mail"]}},
    )
    api.call(
        "POST",
        "/v1/clients",
        422,
        json={"profile": {"name": REFUSED["refused name"], "phone": REFUSED["invalid phone"]}},
    )
    api.call(
        "POST",
        "/v1/clients",
        422,
        json={"profile": {"name": REFUSED["refused name"], "birthday": "1987-06-05x"}},
    )
    api.call(
        "POST",
        "/v1/appointments",
        422,
        json={
            **booking,
            "start": local_iso(day, 16),
            "client": {"profile": {"name": REFUSED["refused name"]}},
            "notify": {"email": REFUSED["invalid notify e-mail"]},
        },
    )
    r = requests.post(
        f"{api.url}/v1/auth/login",
        timeout=30,
        json={
            "tenant": t.tenant.slug,
            "email": REFUSED["failed login e-mail"],
            "password": "wrong-9",
        },
    )
    assert r.status_code == 401, r.text
    api.responses.append(r.text)
    echoed = scan(
        {"responses": "\n".join(api.responses[start:]).encode()},
        needles({k: v for k, v in REFUSED.items()}),
    )
    assert not echoed, "error responses echo the input:\n" + "\n".join(echoed)
    return ids


def enqueue_jobs(server, app, ids: dict) -> None:
    """Give the jobs real work, then enqueue them from another process."""
    with app.app_context(), database.connection_context():
        Client.update(last_activity_at=utcnow() - timedelta(days=30 * 25)).where(
            Client.id == ids["rutger"]
        ).execute()
        DeliveryContact.update(epoch="2020-01").where(
            DeliveryContact.appointment == ids["bartholomew.appointment"]
        ).execute()
    enqueue = (
        "from hushbook_service.jobs import retention_purge, shred_delivery_contacts\n"
        "shred_delivery_contacts(); retention_purge()"
    )
    out = subprocess.run(
        [sys.executable, "-c", enqueue], env=server.env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]


def wait_for_jobs(app, ids: dict, worker_log: Path) -> None:
    done = re.compile(r"jobs\.(shred_delivery_contacts|retention_purge): \S+ executed")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(set(done.findall(worker_log.read_text(errors="replace")))) == 2:
            break
        time.sleep(0.2)
    log = worker_log.read_text(errors="replace")
    assert len(set(done.findall(log))) == 2, f"jobs did not run: {log[-3000:]}"
    with app.app_context(), database.connection_context():
        assert not Client.select().where(Client.id == ids["rutger"]).exists()
        assert (
            not DeliveryContact.select()
            .where(DeliveryContact.appointment == ids["bartholomew.appointment"])
            .exists()
        )
        assert DeliveryContact.select().exists()  # the others are still pending


def key_candidates(files: dict[str, bytes], env: dict[str, str]) -> dict[str, bytes]:
    """Every secret the operator holds (files of the copy, the service's environment)
    that could be tried as a private key."""
    found = {name: data for name, data in files.items() if name.endswith(".key")}
    texts = {name: data.decode() for name, data in files.items() if name.endswith("secrets.json")}
    texts.update({f"${k}": v for k, v in env.items() if k.startswith("HUSHBOOK_")})
    for name, text in texts.items():
        for i, b64 in enumerate(re.findall(r"[A-Za-z0-9_-]{40,}=*", text)):
            found[f"{name}#{i}"] = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    return found


def test_a_full_copy_reveals_no_client_data(settings, make_tenant, app, tmp_path):
    t = make_tenant("salon-leak")
    t.stylist = t.member("staff", "stylist")
    server = start_server(settings, workers=2)
    worker_log = settings.instance / "worker.log"
    worker = None
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        ids = seed(Api(server.url, t.owner.headers), app, t)
        enqueue_jobs(server, app, ids)
        # Hot copies, as a backup taken while running sees them: first with every
        # job still queued (the worker starts only now), then after the jobs ran.
        queued = hot_copy(settings, tmp_path, "queued")
        worker = start_worker(server, worker_log, smtp.port)
        wait_for_jobs(app, ids, worker_log)
        deadline = time.monotonic() + 30
        while not mailbox.received and time.monotonic() < deadline:
            time.sleep(0.2)
        assert mailbox.received, "the worker sent no message"
        time.sleep(1.0)
        live = hot_copy(settings, tmp_path, "live")
    finally:
        if worker is not None:
            stop_worker(worker)
        stop_server(server)
        smtp.stop()

    # The operator's copy: everything on disk under the test's folder (the SQLite
    # database, the Huey store, the instance folder with secrets, delivery keys and
    # both logs), dumps of a PostgreSQL database / Redis store, and the hot copies.
    dump_stores(settings, tmp_path / "dumps", "final")
    files = {**collect_files(tmp_path), **queued, **live}

    main_db = "dumps/pg_dump-final.sql" if on_postgres() else "hushbook.db"
    db_files = [n for n in files if re.match(r"((queued|live)/)?hushbook\.db|dumps/pg_dump", n)]
    queue_files = [n for n in files if re.match(r"((queued|live)/)?huey\.db|dumps/redis", n)]
    logs = {"server": "instance/server.log", "worker": "instance/worker.log"}
    summary = f"{len(files)} files, {sum(map(len, files.values()))} bytes scanned: {sorted(files)}"
    assert files.get(main_db), f"no database copy ({main_db}); {summary}"
    assert queue_files, f"no job store copy; {summary}"
    assert all(files.get(p) for p in logs.values()), f"a log is missing or empty; {summary}"
    assert "/v1/clients/lookup" in files[logs["server"]].decode(errors="replace"), server_log(
        settings
    )
    assert b"executed" in files[logs["worker"]]

    # Positive control: the public value is found by the very same scan.
    control = scan({n: files[n] for n in db_files}, needles({"control": CONTROL}))
    assert control, f"the scan did not find the public control value; {summary}"

    # The promise: no personal value, in any encoding, anywhere in the copy.
    values = personal_values()
    wanted = needles(values)
    hits = scan(files, wanted)
    assert not hits, (
        f"{len(hits)} leak(s) of {len(values)} values ({len(wanted)} encodings) in {summary}:\n"
        + "\n".join(hits[:50])
    )

    # …and the operator cannot decrypt: the tenant key is nowhere in the copy, and
    # no key material there is (secrets, environment, delivery keys) opens a profile.
    raw = sealing.export_private_key(t.tenant_key)
    pkcs8 = sealing.export_private_key(t.tenant_key, format="pkcs8")
    key_forms = {
        "tenant key": raw.hex(),
        "tenant key (b64)": sealing.b64e(raw),
        "tenant key (std b64)": base64.b64encode(raw).decode(),
        "tenant key (pkcs8 b64)": base64.b64encode(pkcs8).decode(),
    }
    key_needles = {v.lower().encode(): k for k, v in key_forms.items()}
    key_needles.update({raw.lower(): "tenant key (raw)", pkcs8.lower(): "tenant key (pkcs8)"})
    assert not scan(files, key_needles), "the tenant's private key is in the copy"
    candidates = key_candidates(files, server.env)
    assert any(n.endswith(".key") for n in candidates), sorted(files)
    with app.app_context(), database.connection_context():
        rows = list(Client.select().where(Client.tenant == t.tenant.id))
    assert {c.id for c in rows} == {
        ids[k] for k in ("xaverine", "zaneta", "quillon", "bartholomew", "ouarda")
    }
    for row in rows:
        sealed = {
            "client_key": row.client_key,
            "sealed_profile": json.loads(bytes(row.profile).decode()),
        }
        assert t.open(sealed)["name"]  # the reader's key opens it: real data, sealed
        for secret in candidates.values():
            try:
                key = sealing.import_private_key(secret[:32])
            except ValueError:
                continue
            with pytest.raises(sealing.SealError):
                sealing.open_profile(key, t.tenant.id, row.client_key, sealed["sealed_profile"])
