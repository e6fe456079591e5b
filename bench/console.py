"""The staff console in headless Chromium: vault unlock and a busy day view.

Run:  .venv/bin/python bench/console.py [--staff 20] [--appointments 300] [--runs 5]

Set-up (not measured): a fresh SQLite instance under a temporary folder, a
real ``hushbook serve`` process; ``hushbook tenant create``, then through the
Python SDK over HTTP: the owner's password changed, the vault enrolled and set
up at the PRODUCTION scrypt parameters (log_n 17, r 8, p 1: 128 MiB, as
``hushbook.vault.PRODUCTION_LOG_N``), ``--staff`` bookable team members working
07:00-21:00, and ``--appointments`` appointments on one day, spread evenly
over the team, each with its own client whose profile (name, phone, e-mail) is
sealed on the SDK's side — what a busy salon's day looks like to the console.

Measured, in Debian's Chromium (headless, Playwright), the console's own code:

  unlock     from pressing "Unlock" to the panel saying client data is open:
             scrypt (the vendored @noble/hashes, 128 MiB) + AES-GCM unwrap +
             opening the owner's grant (HPKE, WebCrypto) — timed in the page
             (performance.now), ``--runs`` times (lock, unlock again)
  day view   from choosing the day in the date picker to every appointment's
             client name on screen: the list fetched (all pages), each sealed
             profile opened locally, the grid drawn — timed in the page until
             the count of opened names equals the day's appointments; "cold"
             is the first visit after unlocking (every profile opened), "warm"
             the median of returning to the day (names already opened, the
             list fetched and drawn again)

Same-run baselines, on the same machine and data:

  unlock     ``hushbook.Vault.unlock`` (pycryptodome's scrypt in C, same
             parameters)
  day view   the SDK reading the same day (``appointments.list``) and opening
             every client's profile (``vault.open_client``) in Python

Figures only, no assertions. The issue's aim: unlock <= 2 s, day view <= 1 s.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from machine import describe

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
TZ = ZoneInfo("Europe/Berlin")
PASSWORD = "Bench chief " + secrets.token_urlsafe(12) + " 7!"
PASSPHRASE = "a long bench vault passphrase, " + secrets.token_hex(4)

UNLOCK_JS = """
async (passphrase) => {
  const form = document.querySelector(".hb-vault form");
  const input = form.querySelector("input[type=password]");
  input.value = passphrase;
  const began = performance.now();
  form.querySelector("button[type=submit]").click();
  while (!document.querySelector(".hb-vault .hb-ok")) {
    const failed = document.querySelector(".hb-vault [role=alert] p");
    if (failed) throw new Error(failed.textContent);
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - began;
}
"""

DAY_JS = """
async ({day, count}) => {
  const picker = document.querySelector("input[type=date]");
  const began = performance.now();
  picker.value = day;
  picker.dispatchEvent(new Event("change", {bubbles: true}));
  const opened = () => document.querySelectorAll(".hb-appt .hb-appt-name:not(.hb-muted)").length;
  while (opened() < count) await new Promise((r) => setTimeout(r, 2));
  return performance.now() - began;
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HUSHBOOK_INSTANCE": str(folder / "instance"),
            "HUSHBOOK_DELIVERY_KEYS_DIR": str(folder / "instance" / "delivery-keys"),
            "DATABASE_URL": f"sqlite:///{folder / 'hushbook.db'}",
            "HUEY_URL": f"sqlite:///{folder / 'huey.db'}",
            "HUSHBOOK_TOKEN_KEYS": "bench1:" + base64.urlsafe_b64encode(b"c" * 32).decode(),
            "HUSHBOOK_INDEX_KEY": base64.urlsafe_b64encode(b"x" * 32).decode(),
            "HUSHBOOK_SCRYPT_LOG_N": "10",  # login passwords only; the vault uses its own
        }
    )
    return env


def cli(*args: str, env: dict[str, str]) -> str:
    cli = [sys.executable, "-m", "hushbook_service.cli", *args]
    return subprocess.run(cli, env=env, check=True, capture_output=True, text=True).stdout


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cli = [sys.executable, "-m", "hushbook_service.cli", "serve", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cli, env=env, stdout=out, stderr=out, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/healthz", timeout=2).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"hushbook serve did not start: {log.read_text()[-2000:]}")


def make_salon(url: str, env: dict[str, str], staff_count: int, count: int, day: date):
    """The salon as described above; returns the owner's SDK client (vault unlocked)."""
    import hushbook

    made = json.loads(
        cli(
            "tenant",
            "create",
            "--slug",
            "bench-konsole",
            "--name",
            "Salon Bench",
            "--owner-email",
            "owner@bench.test",
            "--json",
            env=env,
        )
    )
    client = hushbook.Client.login(
        url, "bench-konsole", "owner@bench.test", made["one_time_password"]
    )
    client.auth.change_password(made["one_time_password"], PASSWORD)
    client = hushbook.Client.login(url, "bench-konsole", "owner@bench.test", PASSWORD)
    client.vault = hushbook.Vault(client)  # production scrypt parameters
    client.vault.enrol(PASSPHRASE)
    client.vault.setup()
    team = []
    for i in range(staff_count):
        member = client.staff.create(f"s{i}@bench.test", f"Stylist {i + 1:02d}", "staff")
        client.working_hours.set(
            member, [{"weekday": d, "start": "07:00", "end": "21:00"} for d in range(7)]
        )
        team.append(member.id)
    per_member = -(-count // staff_count)
    minutes = max(15, (14 * 60) // per_member // 5 * 5)  # fill 07:00-21:00
    service = client.services.create("Bench cut", minutes, team, price_cents=4000)
    for i in range(count):
        member, slot = team[i % staff_count], i // staff_count
        start = datetime.combine(day, datetime.min.time(), TZ) + timedelta(
            hours=7, minutes=slot * minutes
        )
        client.appointments.create(
            service.id,
            member,
            start,
            new_client={
                "name": f"Kundin {i:03d} Beispiel",
                "phone": f"+49 151 {1000000 + i}",
                "email": f"kundin{i}@example.org",
            },
            allow_outside_hours=True,
        )
    return client


def baseline_unlock(client, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        client.vault.lock()
        began = time.perf_counter()
        client.vault.unlock(PASSPHRASE)
        out.append((time.perf_counter() - began) * 1000)
    return out


def baseline_day(client, day: date, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        rows = client.appointments.list(
            date_from=datetime.combine(day, datetime.min.time(), TZ),
            date_to=datetime.combine(day + timedelta(days=1), datetime.min.time(), TZ),
        )
        names = [a.client.profile["name"] for a in rows if a.client]
        out.append((time.perf_counter() - began) * 1000)
        assert names
    return out


def browser_figures(url: str, day: date, count: int, runs: int) -> tuple[list, float, list]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(
            locale="en-GB", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{url}/console/?salon=bench-konsole&lang=en")
        page.get_by_label("E-mail").fill("owner@bench.test")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator('[data-nav="day"]').click()  # not bookable online: the checklist opens first
        page.locator(".hb-vault form").wait_for()
        unlocks = []
        for i in range(runs):
            unlocks.append(page.evaluate(UNLOCK_JS, PASSPHRASE))
            if i < runs - 1:
                page.locator(".hb-vault button").click()  # lock again
                page.locator(".hb-vault form").wait_for()
        other = (day - timedelta(days=1)).isoformat()
        cold = page.evaluate(DAY_JS, {"day": day.isoformat(), "count": count})
        warm = []
        for _ in range(runs):
            page.evaluate(DAY_JS, {"day": other, "count": 0})
            page.locator("#hb-day-title").wait_for()
            warm.append(page.evaluate(DAY_JS, {"day": day.isoformat(), "count": count}))
        browser.close()
    return unlocks, cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--appointments", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    print(describe("bench/console.py: the staff console in headless Chromium"))
    day = date.today() + timedelta(days=3)
    with tempfile.TemporaryDirectory(prefix="hushbook-bench-console-") as tmp:
        folder = Path(tmp)
        env = environment(folder)
        cli("migrate", env=env)
        proc, url = serve(env, folder / "server.log")
        try:
            began = time.perf_counter()
            client = make_salon(url, env, args.staff, args.appointments, day)
            print(
                f"set-up: {args.staff} team members, {args.appointments} appointments with "
                f"sealed clients on {day}, vault at log_n 17 ({time.perf_counter() - began:.0f} s)"
            )
            unlocks, cold, warm = browser_figures(url, day, args.appointments, args.runs)
            base_unlock = baseline_unlock(client, args.runs)
            base_day = baseline_day(client, day, args.runs)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)

    def ms(values: list[float]) -> str:
        low, high = min(values), max(values)
        return f"median {statistics.median(values):7.0f} ms (min {low:.0f}, max {high:.0f})"

    print()
    print(f"vault unlock, production scrypt (log_n 17, 128 MiB), {args.runs} runs:")
    print(f"  console (Chromium)        {ms(unlocks)}")
    print(f"  SDK (Python, baseline)    {ms(base_unlock)}")
    ratio = statistics.median(unlocks) / statistics.median(base_unlock)
    print(f"  ratio console / SDK       {ratio:7.2f}x     aim: <= 2000 ms")
    print()
    print(f"day view, {args.staff} columns, {args.appointments} appointments, names opened:")
    print(f"  console, first visit      {cold:7.0f} ms (every profile opened)")
    print(f"  console, returning        {ms(warm)}")
    print(f"  SDK list + open, baseline {ms(base_day)}")
    ratio = cold / statistics.median(base_day)
    print(f"  ratio first visit / SDK   {ratio:7.2f}x     aim: <= 1000 ms")


if __name__ == "__main__":
    main()
