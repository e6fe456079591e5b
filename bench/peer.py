"""The peer's availability on the same salon: django-appointment side by side
with Hushbook (issue 18).

Run:  .venv/bin/python bench/peer.py [--runs 1] [--http-runs 15]

The peer: PyPI ``django-appointment`` 3.12.0, installed by this script into its
own virtual environment ``build/peer-venv`` (never into the project's
dependencies), run there with a throwaway Django configuration (SQLite file in
a temporary folder, ``TIME_ZONE = "Europe/Berlin"``, ``USE_TZ``), migrated. The
data: ``bench/slots.py``'s ``make_salon`` -- 50 team members working Tue-Sat
09:00-18:00 with a 12:30-13:15 lunch break, one day off and one afternoon of
time off each, 20,000 appointments over 90 days from the next Monday -- written
with ``bulk_create`` as django-appointment keeps it: ``WorkingHours`` per
weekday, the break and the time off as ``Unavailability`` rows per date, the
day off as ``DayOff``, each appointment as ``AppointmentRequest`` (local date,
start and end time) + ``Appointment``; a 45-minute service, 15-minute slots,
``Config.default_to_service_duration`` on (a start must leave room for the
whole service), no gap, no buffer. Hushbook gets the same salon (no buffers).

The peer's sweep (timed, ``--runs`` times): its own availability function,
``appointment.services.get_available_slots_for_staff(date, staff, weekday,
service)`` -- what its views call for a day (``get_available_slots_ajax``) and
day after day (``get_next_available_date_ajax``) -- for every team member and
each of the 90 days, in-process, no HTTP. Its answers are compared start for
start with Hushbook's (the same data must give the same free starts).

Hushbook, same run:
  in-process  what ``GET /v1/availability`` does after authentication for the
              90 days (bench/slots.py ``database_figures``' request): tenant,
              service and team read, ``free_times``, the JSON answer
  HTTP        the service under gunicorn (gthread, 2 workers x 4 threads, as
              bench/http_paths.py) on the same SQLite file, one client asking
              sequentially: the 90 days in one request (the API takes up to
              92 days; a smaller limit would split them into consecutive
              requests, one "answer" being all of them);
              ``--http-runs`` answers after one warm-up, median and p95

Figures: the peer's sweep (ms), Hushbook's answer (ms) and the ratio peer /
Hushbook. The issue asks Hushbook over HTTP to be >= 300x faster than the
peer's sweep on the same data. ``peer_sweep(salon, runs)`` is importable (for
bench/http_paths.py): it returns the sweep times in ms and the starts per member.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(HERE).parent
VENV = ROOT / "build" / "peer-venv"
PEER = ("django-appointment", "3.12.0")
DAYS = 90


# --- inside build/peer-venv: django-appointment, nothing of Hushbook ----------------------


def inner(data_file: str, runs: int) -> None:
    """Load the salon into django-appointment, sweep ``runs`` times, print JSON."""
    folder = tempfile.mkdtemp(prefix="peer-django-")
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="bench only",  # noqa: S106 (a throwaway configuration)
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "appointment",
        ],
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": f"{folder}/peer.db"}
        },
        USE_TZ=True,
        TIME_ZONE="Europe/Berlin",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        APPOINTMENT_SLOT_DURATION=15,
        APPOINTMENT_BUFFER_TIME=0,
        APPOINTMENT_LEAD_TIME=(9, 0),
        APPOINTMENT_FINISH_TIME=(18, 0),
        LOGGING_CONFIG=None,
    )
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)  # the package ships no migrations
    from appointment import models as m
    from appointment.services import get_available_slots_for_staff
    from appointment.utils.db_helpers import get_weekday_num_from_date

    data = json.loads(Path(data_file).read_text())
    first = date.fromisoformat(data["first_day"])
    t = datetime.strptime
    user = get_user_model()
    m.Config.objects.create(
        slot_duration=15,
        lead_time=t("09:00", "%H:%M").time(),
        finish_time=t("18:00", "%H:%M").time(),
        appointment_buffer_time=0,
        default_to_service_duration=True,
        slot_gap_time=0,
    )
    service = m.Service.objects.create(name="Cut", duration=timedelta(minutes=45), price=0)
    client = user.objects.create(username="client", email="client@peer.test")
    staff = {}
    for number in data["members"]:
        u = user.objects.create(username=f"member{number}", email=f"m{number}@peer.test")
        staff[number] = m.StaffMember.objects.create(
            user=u, slot_duration=15, appointment_buffer_time=0, slot_gap_time=0
        )
        staff[number].services_offered.add(service)

    def hm(text: str):
        return t(text, "%H:%M").time()

    hours, away, days_off, requests = [], [], [], []
    for number, member in data["members"].items():
        sm = staff[number]
        for weekday in data["open_weekdays"]:  # Python's 0 = Monday; the peer's 0 = Sunday
            hours.append(
                m.WorkingHours(
                    staff_member=sm,
                    day_of_week=(weekday + 1) % 7,
                    start_time=hm("09:00"),
                    end_time=hm("18:00"),
                )
            )
        for i in range(DAYS + 1):
            d = first + timedelta(days=i)
            if d.weekday() in data["open_weekdays"]:
                away.append(
                    m.Unavailability(
                        staff_member=sm, date=d, start_time=hm("12:30"), end_time=hm("13:15")
                    )
                )
        off = date.fromisoformat(member["day_off"])
        days_off.append(m.DayOff(staff_member=sm, start_date=off, end_date=off))
        d, s, e = member["time_off"]
        away.append(
            m.Unavailability(
                staff_member=sm, date=date.fromisoformat(d), start_time=hm(s), end_time=hm(e)
            )
        )
        for d, s, e in member["appointments"]:
            requests.append(
                m.AppointmentRequest(
                    date=date.fromisoformat(d),
                    start_time=hm(s),
                    end_time=hm(e),
                    service=service,
                    staff_member=sm,
                )
            )
    m.WorkingHours.objects.bulk_create(hours)
    m.Unavailability.objects.bulk_create(away)
    m.DayOff.objects.bulk_create(days_off)
    made = m.AppointmentRequest.objects.bulk_create(requests, batch_size=1000)
    m.Appointment.objects.bulk_create(
        [m.Appointment(client=client, appointment_request=r) for r in made], batch_size=1000
    )

    members = [(number, staff[number]) for number in data["members"]]

    def sweep() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for number, sm in members:
            starts: list[str] = []
            for i in range(DAYS):
                d = first + timedelta(days=i)
                weekday = get_weekday_num_from_date(d)
                got = get_available_slots_for_staff(d, sm, weekday, service=service)
                starts += [s.isoformat() for s in got]  # naive local date-times
            found[number] = starts
        return found

    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        found = sweep()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({"ms": times, "cpu_ms": cpu, "starts": found}))


# --- in the project's environment ------------------------------------------------------


def peer_python() -> Path:
    """build/peer-venv's python with django-appointment (made on first use)."""
    python = VENV / "bin" / "python"
    check = f"import importlib.metadata as m; assert m.version({PEER[0]!r}) == {PEER[1]!r}"
    if python.exists() and subprocess.run([python, "-c", check]).returncode == 0:
        return python
    print(f"installing {PEER[0]}=={PEER[1]} into {VENV} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run(
        [python, "-m", "pip", "install", "-q", f"{PEER[0]}=={PEER[1]}"],
        check=True,
        stderr=subprocess.DEVNULL,  # pip's warnings about absent mirror folders
    )
    return python


def peer_data(salon) -> dict:
    """``salon`` as local dates and wall times, the way django-appointment keeps it."""
    from slots import OPEN_DAYS, TZ

    def local(at: datetime) -> tuple[str, str]:
        here = at.astimezone(TZ)
        return here.date().isoformat(), here.strftime("%H:%M")

    members = {}
    for number, rows in salon.rows.items():
        off_start, off_end = salon.time_off[number]
        members[str(number)] = {
            "day_off": salon.day_off[number].isoformat(),
            "time_off": [*local(off_start), local(off_end)[1]],
            "appointments": [[*local(s), local(e)[1]] for s, e in rows],
        }
    return {
        "first_day": salon.first_day.isoformat(),
        "open_weekdays": OPEN_DAYS,
        "members": members,
    }


def peer_sweep(salon, runs: int = 1) -> tuple[list[float], list[float], dict[int, list[datetime]]]:
    """django-appointment's sweep over ``salon`` (its own venv, a subprocess):
    the wall-clock and CPU time of each run (ms) and the free starts per member
    (aware, local)."""
    from slots import TZ

    python = peer_python()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "salon.json"
        data.write_text(json.dumps(peer_data(salon)))
        out = subprocess.run(
            [python, __file__, "--inner", str(data), "--runs", str(runs)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    answer = json.loads(out.strip().splitlines()[-1])
    starts = {
        int(number): [datetime.fromisoformat(s).replace(tzinfo=TZ) for s in found]
        for number, found in answer["starts"].items()
    }
    return answer["ms"], answer["cpu_ms"], starts


def hushbook_starts(salon) -> dict[int, list[datetime]]:
    """Hushbook's engine on the same salon (no buffers): every free start, local."""
    from slots import BREAKS, TZ, WEEKLY

    from hushbook_service.scheduling import slots

    query = slots.SlotQuery(
        duration=timedelta(minutes=45),
        granularity=timedelta(minutes=15),
        earliest=salon.start,
        latest=salon.end,
    )
    schedules = [
        slots.StaffSchedule(
            staff_id=number,
            weekly=WEEKLY,
            breaks=BREAKS,
            exceptions={salon.day_off[number]: ()},
            time_off=[slots.Interval(*salon.time_off[number])],
            busy=[slots.Interval(s, e) for s, e in rows],
        )
        for number, rows in salon.rows.items()
    ]
    found = slots.search(schedules, query, TZ)
    return {n: [s.astimezone(TZ) for s in a.starts()] for n, a in found.items()}


def cpu_of_tree(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its children (Linux /proc)."""
    total = 0
    pids = [str(pid)]
    pids += Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


def hushbook_figures(salon, http_runs: int) -> tuple[list[float], list[float], int, float, float]:
    """In-process and over-HTTP times (ms) of Hushbook's 90-day answer on ``salon``,
    and the CPU time (ms) one answer over HTTP costs the server, and the client."""
    import secrets
    import socket

    import requests
    from machine import service_env
    from slots import fill_hushbook, open_empty

    from hushbook_service.accounts.logins import issue_pair
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.models import Service, ServiceStaff, Staff, Tenant
    from hushbook_service.resources.availability import fast_dump
    from hushbook_service.scheduling import booking

    work = Path(tempfile.mkdtemp(prefix="peer-hushbook-"))
    url = f"sqlite:///{work}/hushbook.db"
    env = service_env(work, url)
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    from hushbook_service import create_app

    open_empty(url)
    app = create_app()
    with app.app_context(), database.connection_context():
        tenant, owner, _ = create_tenant("peer-salon", "Peer", "owner@peer.test", scrypt_log_n=10)
        tenant_id, service_id = fill_hushbook(salon, tenant.id)
        Staff.update(must_change_password=False).where(Staff.id == owner.id).execute()
        token = issue_pair(Staff.get_by_id(owner.id), family=secrets.token_hex(8)).access_token

        def request() -> bytes:
            t = Tenant.get_by_id(tenant_id)
            service = Service.get_by_id(service_id)
            team = list(
                Staff.select()
                .join(ServiceStaff, on=ServiceStaff.staff == Staff.id)
                .where(ServiceStaff.service == service.id, Staff.active == True)  # noqa: E712
                .order_by(Staff.id)
            )
            found = booking.free_times(t, service, team, salon.start, salon.end)
            return fast_dump(found, t.slot_granularity_min).get_data()

        request()
        in_process = []
        for _ in range(max(http_runs, 5)):
            t0 = time.perf_counter()
            request()
            in_process.append((time.perf_counter() - t0) * 1000)
    database.close()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hushbook_service.wsgi:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--config",
            "python:hushbook_service.gunicorn_conf",
        ],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {work / 'gunicorn.log'}")
            time.sleep(0.2)
        from hushbook_service.resources.availability import MAX_WINDOW

        windows, at = [], salon.start
        while at < salon.end:
            nxt = min(at + MAX_WINDOW, salon.end)
            windows.append((at.isoformat(), nxt.isoformat()))
            at = nxt
        http = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}

        def answer() -> int:
            size = 0
            for lo, hi in windows:
                q = {"service_id": service_id, "from": lo, "to": hi}
                res = http.get(f"{base}/v1/availability", params=q, headers=headers, timeout=60)
                res.raise_for_status()
                size += len(res.content)
            return size

        size = answer()  # warm-up: each worker's first request
        answer()
        over_http = []
        server_cpu, client_cpu = cpu_of_tree(server.pid), time.process_time()
        for _ in range(http_runs):
            t0 = time.perf_counter()
            answer()
            over_http.append((time.perf_counter() - t0) * 1000)
        cpu = (
            (cpu_of_tree(server.pid) - server_cpu) / http_runs,
            (time.process_time() - client_cpu) / http_runs,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return in_process, over_http, size, cpu[0] * 1000, cpu[1] * 1000


def requests_for(days: int) -> int:
    """Requests a client needs for ``days`` under the API's span limit."""
    from hushbook_service.resources.availability import MAX_WINDOW

    return -(-days // MAX_WINDOW.days)


def main() -> None:
    import argparse

    from machine import describe

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1, help="peer sweeps (each takes 20 s or more)")
    ap.add_argument("--http-runs", type=int, default=15, help="Hushbook answers timed")
    ap.add_argument("--inner", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        inner(args.inner, args.runs)
        return

    from slots import make_salon

    print(describe("django-appointment side by side"), flush=True)
    salon = make_salon()
    n_appts = sum(len(r) for r in salon.rows.values())
    print(
        f"salon: {len(salon.rows)} team members, {n_appts} appointments, {DAYS} days from "
        f"{salon.first_day}; peer: {PEER[0]} {PEER[1]} in {VENV.relative_to(ROOT)}",
        flush=True,
    )
    peer_ms, peer_cpu, peer_found = peer_sweep(salon, args.runs)
    mine = hushbook_starts(salon)
    same = peer_found == mine
    n_starts = sum(len(v) for v in mine.values())
    differ = sum(1 for n in mine if mine[n] != peer_found.get(n))
    in_process, over_http, size, server_cpu, client_cpu = hushbook_figures(salon, args.http_runs)
    http_cpu = server_cpu + client_cpu
    med = statistics.median
    peer = med(peer_ms)

    def p95(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]

    print(
        f"peer sweep (get_available_slots_for_staff, {len(salon.rows)} members x {DAYS} days, "
        f"in-process): median {peer:.0f} ms over {len(peer_ms)} run(s) "
        f"({', '.join(f'{x:.0f}' for x in peer_ms)}); CPU time {med(peer_cpu):.0f} ms"
    )
    print(
        f"same free starts as Hushbook, start for start: {same} ({n_starts} starts; "
        f"{differ} members differ)"
    )
    print(
        f"Hushbook in-process (database to JSON, 90 days in one call): median "
        f"{med(in_process):.1f} ms, fastest {min(in_process):.1f} ms -> "
        f"{peer / med(in_process):.0f}x faster than the peer's sweep"
    )
    print(
        f"Hushbook over HTTP (gunicorn gthread 2 x 4, one client, 90 days as "
        f"{requests_for(DAYS)} request(s), {size} bytes): median {med(over_http):.1f} ms, "
        f"p95 {p95(over_http):.1f} ms, "
        f"fastest {min(over_http):.1f} ms -> {peer / med(over_http):.0f}x faster than the "
        f"peer's sweep (target >= 300x: {'MET' if peer / med(over_http) >= 300 else 'NOT MET'})"
    )
    print(
        f"CPU time (a loaded machine stretches wall clocks, not CPU time): the peer's sweep "
        f"{med(peer_cpu):.0f} ms; one Hushbook answer over HTTP {http_cpu:.1f} ms (gunicorn's "
        f"processes {server_cpu:.1f} ms, this client {client_cpu:.1f} ms) -> "
        f"{med(peer_cpu) / http_cpu:.0f}x ({med(peer_cpu) / server_cpu:.0f}x the server's alone)"
    )
    print(describe("load at end"))


if __name__ == "__main__":
    main()
