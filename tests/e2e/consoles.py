"""The staff console's browser tests share these helpers (no fixtures here, like
``support.py``): the ``Console`` page, its German and English texts, a salon as
the operator creates one, signing in, unlocking, the requests a console sent
and the check that nothing was kept.

Each ``test_console*.py`` builds its own salon with ``operator_salon`` in a
module fixture and adds what only it needs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from support.config import PASSWORD, SCRYPT_LOG_N

from .support import Visit

TZ = ZoneInfo("Europe/Berlin")
WEEK = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
NOTICE = {
    "en": "We use your details only to manage your appointment and delete them afterwards.",
    "de": "Wir verarbeiten Ihre Daten nur für den Termin und löschen sie danach.",
}
VAULT_FLOOR = 16  # the vault's real scrypt floor (production 17): the browser's scrypt really runs

DE = {
    "tenant": "Salon",
    "email": "E-Mail",
    "password": "Passwort",
    "signin": "Anmelden",
    "new": "Neues Passwort",
    "repeat": "Neues Passwort wiederholen",
    "save": "Passwort speichern",
    "passphrase": "Tresor-Passphrase",
    "unlock": "Entsperren",
    "unlocked": "Die Kundendaten sind auf diesem Gerät entsperrt.",
    "locked_name": "Kundendaten gesperrt",
    "vault_new": "Neue Tresor-Passphrase",
    "vault_repeat": "Neue Tresor-Passphrase wiederholen",
    "vault_create": "Meinen Schlüssel anlegen",
}
EN = {
    "tenant": "Salon",
    "email": "E-mail",
    "password": "Password",
    "signin": "Sign in",
    "new": "New password",
    "repeat": "Repeat the new password",
    "save": "Save password",
    "passphrase": "Vault passphrase",
    "unlock": "Unlock",
    "unlocked": "Client data is unlocked on this device.",
    "locked_name": "Client data locked",
    "vault_new": "New vault passphrase",
    "vault_repeat": "Repeat the new vault passphrase",
    "vault_create": "Create my key",
}

STORAGE_JS = """
async () => {
  const out = {local: [], session: [], cookies: document.cookie, idb: [], caches: []};
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i); out.local.push(k + "=" + localStorage.getItem(k));
  }
  for (let i = 0; i < sessionStorage.length; i++) {
    const k = sessionStorage.key(i); out.session.push(k + "=" + sessionStorage.getItem(k));
  }
  if (indexedDB.databases) out.idb = (await indexedDB.databases()).map((d) => d.name);
  if (window.caches) {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        out.caches.push(name + " " + req.url + " " + (res ? await res.text() : ""));
      }
    }
  }
  return out;
}
"""


def local(day: date, hm: str) -> datetime:
    """``hm`` ("14:30") on ``day`` in the salons' time zone."""
    hour, minute = (int(x) for x in hm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


# --- the salon ------------------------------------------------------------------------------------


@dataclass
class OperatorSalon:
    """A salon as the operator created it. A test module's fixture adds what its
    own set-up made as further attributes (``salon.team = …``)."""

    url: str
    slug: str
    name: str
    tenant_id: int
    owner_id: int
    owner_email: str
    owner_password: str
    passphrase: str | None  # the owner's vault passphrase; None: no vault yet
    vault_log_n: int
    api: Any = None  # the owner's SDK client (its vault unlocked when asked)

    def email(self, first: str) -> str:
        return f"{first.lower()}@{self.slug}.test"

    def login(self, password: str | None = None, *, passphrase: str | None = None):
        """A fresh SDK client of the owner, the vault unlocked with ``passphrase``
        (by default the salon's)."""
        import hushbook

        client = hushbook.Client.login(
            self.url, self.slug, self.owner_email, password or self.owner_password
        )
        client.vault = hushbook.Vault(client, log_n=self.vault_log_n, min_log_n=self.vault_log_n)
        client.vault.unlock(passphrase or self.passphrase)
        return client

    def stylist(self, first: str, hours: list[dict] | None = None):
        """A team member with the ``staff`` role ("<first> Stylist", shown as
        ``first``) working ``hours`` (every day 08:00-20:00 by default)."""
        member = self.api.staff.create(
            self.email(first), f"{first} Stylist", "staff", public_name=first
        )
        self.api.working_hours.set(member, WEEK if hours is None else hours)
        return member


def operator_salon(
    service,
    slug: str,
    name: str,
    *,
    owner_name: str = "Olga Owner",
    owner_password: str = PASSWORD,
    vault_passphrase: str | None = None,
    vault_log_n: int = VAULT_FLOOR,
    locale: str = "de",
    sdk: bool = True,
    unlock: bool = False,
    settings: dict | None = None,
    notices: dict[str, str] | None = None,
) -> OperatorSalon:
    """``create_tenant`` on the service's database, the owner's password set (no
    one-time password to change), her vault set up with ``vault_passphrase`` at
    ``vault_log_n`` when given. With ``sdk`` the owner's SDK client (its vault
    unlocked with ``unlock``) saves ``settings`` (``tenant.update``) and
    publishes ``notices`` (locale -> text)."""
    import hushbook
    from hushbook_service.accounts.passwords import hash_password
    from hushbook_service.accounts.tenants import create_tenant
    from hushbook_service.db import database
    from hushbook_service.privacy.vault import setup_locally

    owner_email = f"owner@{slug}.test"
    with service.app.app_context(), database.connection_context():
        tenant, owner, _ = create_tenant(
            slug,
            name,
            owner_email,
            owner_name=owner_name,
            timezone="Europe/Berlin",
            locale=locale,
            scrypt_log_n=SCRYPT_LOG_N,
        )
        owner.password_hash = hash_password(owner_password, SCRYPT_LOG_N)
        owner.must_change_password = False
        owner.save()
        if vault_passphrase is not None:
            setup_locally(tenant, owner, vault_passphrase, log_n=vault_log_n, min_log_n=vault_log_n)
        salon = OperatorSalon(
            url=service.url,
            slug=slug,
            name=name,
            tenant_id=tenant.id,
            owner_id=owner.id,
            owner_email=owner_email,
            owner_password=owner_password,
            passphrase=vault_passphrase,
            vault_log_n=vault_log_n,
        )
    if sdk:
        if unlock:
            salon.api = salon.login()
        else:
            salon.api = hushbook.Client.login(service.url, slug, owner_email, owner_password)
        if settings:
            salon.api.tenant.update(**settings)
        for lang, text in (notices or {}).items():
            salon.api.tenant.publish_privacy_notice(lang, text)
    return salon


def set_password(
    service, staff_id: int, password: str, *, must_change: bool = False, sign_out: bool = False
) -> None:
    """A team member's password, as the operator (or a reset) would set it;
    ``sign_out`` ends the sessions she has."""
    from hushbook_service.accounts.passwords import hash_password
    from hushbook_service.db import database
    from hushbook_service.models import Staff

    changes: dict[Any, Any] = {
        Staff.password_hash: hash_password(password, SCRYPT_LOG_N),
        Staff.must_change_password: must_change,
    }
    if sign_out:
        changes[Staff.token_version] = Staff.token_version + 1
    with service.app.app_context(), database.connection_context():
        Staff.update(changes).where(Staff.id == staff_id).execute()


def password_login(
    url: str, slug: str, email: str, password: str, *, totp: str | None = None
) -> requests.Response:
    """``POST /v1/auth/login`` as any client would (no SDK)."""
    body = {"tenant": slug, "email": email, "password": password}
    if totp:
        body["totp"] = totp
    return requests.post(f"{url}/v1/auth/login", json=body, timeout=10)


# --- the console in a browser -----------------------------------------------------------------


class Console(Visit):
    """One person's console: its own browser context (by default with a fake clock
    installed, so the test can move the browser's time), requests recorded."""

    def __init__(
        self,
        browser,
        folder: str,
        *,
        lang: str,
        width: int,
        height: int,
        clock: bool = True,
        vault_log_n: int | None = None,
        width_in_names: bool = False,
    ) -> None:
        """``vault_log_n``: the keys screen's scrypt cost, set through the page's
        test-only hook (see keysLogN in plugins/console/src/screens/30-keys.js);
        ``width_in_names``: screenshots and axe steps named ``<lang>-<width>-<step>``."""
        context = browser.new_context(
            locale="de-DE" if lang == "de" else "en-GB",
            timezone_id="Europe/Berlin",
            viewport={"width": width, "height": height},
            accept_downloads=True,
        )
        context.set_default_timeout(30_000)
        if clock:
            context.clock.install()  # time flows naturally until the test moves it
        super().__init__(context, folder)
        self.lang = lang
        self.width = width
        self.width_in_names = width_in_names
        self.requests: list[tuple[str, str, str]] = []
        context.on("request", self._record)
        if vault_log_n is not None:
            context.add_init_script(
                f"globalThis.HushbookConsoleTest = {{ vaultLogN: {vault_log_n} }};"
            )

    def _record(self, request) -> None:
        try:
            body = request.post_data or ""
        except Exception:  # noqa: BLE001 - a binary body is no JSON field either
            body = ""
        self.requests.append((request.method, request.url, body))

    @property
    def texts(self) -> dict[str, str]:
        return DE if self.lang == "de" else EN

    def open(self, base: str) -> None:
        self.page.goto(f"{base}/console/?lang={self.lang}")

    def resize(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})
        self.width = width

    def screen(self, step: str) -> None:
        """Screenshot, axe-core on the whole page, and no sideways scrolling."""
        name = f"{self.lang}-{self.width}-{step}" if self.width_in_names else f"{self.lang}-{step}"
        self.page.wait_for_timeout(150)
        self.shot(name)
        self.axe(name, include=None)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.width, f"{step}: the page scrolls sideways ({width} px)"

    def sign_in(self, salon: str, email: str, password: str, texts: dict | None = None) -> None:
        """Fill the sign-in form (in the console's language unless ``texts``) and send it."""
        page, texts = self.page, texts or self.texts
        page.get_by_label(texts["tenant"], exact=True).fill(salon)
        page.get_by_label(texts["email"], exact=True).fill(email)
        page.get_by_label(texts["password"], exact=True).fill(password)
        page.get_by_role("button", name=texts["signin"]).click()

    def enter(
        self, base: str, salon: str, email: str, password: str, *, shot: bool = False
    ) -> None:
        """Open the console, wait for its sign-in form (a screen of it with ``shot``)
        and sign in."""
        self.open(base)
        self.page.locator("form").wait_for()
        if shot:
            self.screen("signin")
        self.sign_in(salon, email, password)

    def unlock(self, passphrase: str, *, until: str | None = None) -> None:
        """Type the vault passphrase into the page's panel and unlock; returns once
        the page says client data is unlocked (or ``until``, a selector, shows)."""
        page = self.page
        page.get_by_label(self.texts["passphrase"], exact=True).fill(passphrase)
        page.get_by_role("button", name=self.texts["unlock"], exact=True).click()
        if until is None:
            page.get_by_text(self.texts["unlocked"]).first.wait_for(timeout=60_000)
        else:
            page.locator(until).wait_for(timeout=60_000)

    def sent(
        self, method: str | None = None, path: str | None = None
    ) -> list[tuple[str, str, str]]:
        """The requests (method, URL, body) this console made, those with
        ``method`` whose URL without its query ends with ``path`` when given."""
        return [
            (m, url, body)
            for m, url, body in self.requests
            if (method is None or m == method)
            and (path is None or url.split("?")[0].endswith(path))
        ]

    def sent_bodies(self, method: str, path: str) -> list[dict]:
        """The JSON bodies of ``sent(method, path)`` (those with a body)."""
        return [json.loads(body) for _, _, body in self.sent(method, path) if body]

    def sent_text(self) -> str:
        """Every request as one text (method, URL, body a line), to look for values in."""
        return "\n".join(f"{m} {u} {b}" for m, u, b in self.requests)

    def failed(self) -> None:
        """On a failure: the screen as it is, and what the page said."""
        try:
            self.shot("failure")
            print(f"console errors: {self.errors}; console: {self.console[-20:]}")
            print(
                "page: " + self.page.evaluate("document.body.outerHTML")[:3000].replace("\n", " ")
            )
        except Exception:  # noqa: BLE001, S110 - a report, not a check
            pass

    def storage(self) -> dict:
        return self.page.evaluate(STORAGE_JS)


@contextmanager
def watched(*consoles: Console, afterwards: Callable[[], None] | None = None) -> Iterator[None]:
    """Around a test's steps: on a failure each console's screen and messages are
    reported; then ``afterwards`` runs (pass or fail) and every browser closes."""
    try:
        yield
    except BaseException:
        for c in consoles:
            c.failed()
        raise
    finally:
        try:
            if afterwards is not None:
                afterwards()
        finally:
            for c in consoles:
                c.context.close()


# --- steps and checks ---------------------------------------------------------------------------


def change_password(c: Console, texts: dict, new: str) -> None:
    page = c.page
    page.get_by_label(texts["new"], exact=True).fill(new)
    page.get_by_label(texts["repeat"], exact=True).fill(new)
    page.get_by_role("button", name=texts["save"]).click()


def enrol(c: Console, passphrase: str, *, create: str | None = None) -> None:
    """The keys screen: a new vault passphrase twice, then the button that creates
    (``create``: or replaces) the member's key."""
    page, texts = c.page, c.texts
    page.get_by_label(texts["vault_new"], exact=True).fill(passphrase)
    page.get_by_label(texts["vault_repeat"], exact=True).fill(passphrase)
    page.get_by_role("button", name=create or texts["vault_create"]).click()


def go_to_day(c: Console, day: date) -> None:
    """The date picker: type the day, as a person would pick it."""
    c.page.locator("#hb-day-title").wait_for()
    with c.page.expect_response(
        lambda r: "/v1/appointments?" in r.url and day.isoformat() in r.url
    ):
        c.page.locator("input[type=date]").fill(day.isoformat())
    c.page.locator(".hb-grid").wait_for()


def block_of(c: Console, appointment_id: int):
    return c.page.locator(f'.hb-appt[data-appt="{appointment_id}"]')


def pick_time(panel, hm: str) -> None:
    """A free time of the booking or moving form (its label: the radio is drawn as a chip)."""
    panel.locator(".hb-time label", has_text=re.compile(f"^{hm}$")).click()
    assert panel.get_by_role("radio", name=hm, exact=True).is_checked()


def assert_nothing_kept(consoles: list[Console], secrets_: dict[str, str]) -> None:
    """No storage of the browser holds a name or the passphrase; no request body
    carried the passphrase (nor a client's name: names are opened, never sent)."""
    for c in consoles:
        kept = c.storage()
        assert kept["local"] == [] and kept["session"] == [], kept
        assert kept["cookies"] == "" and kept["idb"] == [] and kept["caches"] == [], kept
        dump = json.dumps(kept)
        for what, value in secrets_.items():
            assert value not in dump, f"{what} in the browser's storage"
        assert c.requests, "no requests recorded"
        for method, url, body in c.requests:
            for what, value in secrets_.items():
                assert value not in body and value not in url, f"{what} sent: {method} {url}"
            if "/console/" not in url and "/static/" not in url:
                assert url.startswith(c.page.url.split("/console/")[0]), url  # one origin
