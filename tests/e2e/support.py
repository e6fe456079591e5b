"""The end-to-end suite's helpers (no fixtures here): components, the mail sink,
the browser visit with screenshots and axe-core, keyboard focus, the staff-side
check and the plaintext scan.

Fixtures are in ``conftest.py``; the flows in ``test_*.py``.
"""

from __future__ import annotations

import email
import json
import re
import secrets
import shutil
import string
import threading
import time
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
E2E = Path(__file__).resolve().parent
SHOTS = ROOT / "build" / "e2e-screenshots"
AXE_JS = E2E / "node_modules" / "axe-core" / "axe.min.js"
WIDGET_DIR = ROOT / "service" / "hushbook_service" / "static" / "widget"
PLUGIN_DIR = ROOT / "plugins" / "wordpress" / "hushbook"
WP_ROOT = Path("/usr/share/wordpress")
SALON_NAME = "Studio Lumen Hushbook-E2E"  # public: the scan must find it in the service's DB

# "Tuesday, 24 November, 10:00–10:45" (en-GB may drop the first comma), maybe " with Anna".
OFFER_NAME = re.compile(r"^[A-Z][a-z]+day,? \d{1,2} [A-Z][a-z]+,? \d{2}:\d{2}–\d{2}:\d{2}")


def playwright_importable() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


# --- what the suite remembers across tests (printed at the end) ---------------------------


@dataclass
class Customer:
    name: str
    email: str
    phone: str | None
    tag: str  # random letters in every value: the strongest needle of the scan
    channel: str  # "mouse" or "keyboard"
    where: str  # "shortcode", "block", "standalone"


@dataclass
class Summary:
    customers: list[Customer] = field(default_factory=list)
    pow: list[dict[str, Any]] = field(default_factory=list)  # {bits, ms, hashes, test}
    axe: list[dict[str, Any]] = field(default_factory=list)  # {test, step, violations}
    folders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


SUMMARY = Summary()


def new_customer(channel: str, where: str, *, first: str, phone: bool) -> Customer:
    tag = "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))
    digits = "".join(secrets.choice(string.digits) for _ in range(7))
    customer = Customer(
        name=f"{first} Mustermann-{tag}",
        email=f"{first.lower().replace('ü', 'ue')}.e2e.{tag}@example.org",
        phone=f"+49 151 2{digits}" if phone else None,
        tag=tag,
        channel=channel,
        where=where,
    )
    SUMMARY.customers.append(customer)
    return customer


# --- the mail server ----------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler keeping every message (the customers' inboxes)."""

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.port = 0  # set by the fixture that starts the server

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(msg)
        return "250 Message accepted"

    def wait_for(self, to: str, contains: str, timeout: float = 30) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for msg in self.received:
                    if to.lower() in str(msg["To"]).lower() and contains in text_of(msg):
                        return msg
            time.sleep(0.1)
        with self.lock:
            seen = [(str(m["To"]), str(m["Subject"])) for m in self.received]
        raise AssertionError(f"no mail to {to} containing {contains!r} in {timeout} s; got {seen}")


def text_of(msg: email.message.EmailMessage) -> str:
    body = msg.get_body(("plain", "html"))
    return body.get_content() if body is not None else ""


# A message's link: short (/m/<code>, redirecting to the page) or the page's own.
LINK_MARK = "/m/"


def confirmation_link(msg: email.message.EmailMessage) -> str:
    found = re.search(
        r"https?://[^\s<>\"']+/(?:m/[0-9A-Z]{8}\b|[^\s<>\"']*confirm/[^\s<>\"']+)", text_of(msg)
    )
    assert found, f"no confirmation link in: {text_of(msg)[:1500]}"
    return found.group(0).rstrip(".,)")


# --- the browser ----------------------------------------------------------------------------

# Installed before any page script: records the widget's proof-of-work solves,
# the screens it shows and whether the security-check progress bar appeared.
RECORDER_JS = """
(() => {
  const hb = window.__hb = {pow: [], screens: [], progressShown: 0};
  document.addEventListener("hushbook:pow", (e) => {
    hb.pow.push(Object.assign({}, e.detail, {at: Date.now()}));
  }, true);
  new MutationObserver((records) => {
    for (const r of records) {
      const node = r.target;
      if (r.attributeName === "data-hb-screen") {
        const h = node.querySelector("h2");
        hb.screens.push({screen: node.getAttribute("data-hb-screen"),
                         heading: h ? h.textContent : null});
      } else if (r.attributeName === "hidden" && !node.hidden
                 && node.querySelector && node.querySelector("[role=progressbar]")) {
        hb.progressShown += 1;
      }
    }
  }).observe(document, {attributes: true, subtree: true,
                        attributeFilter: ["data-hb-screen", "hidden"]});
})();
"""

FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const labels = el.labels && el.labels.length ? Array.from(el.labels) : [];
  let label = labels.length ? labels[0].textContent
    : (el.getAttribute("aria-label") || el.textContent || el.value || "");
  const ring = (s) => !!s && ((s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
                              || (s.boxShadow && s.boxShadow !== "none"));
  const own = getComputedStyle(el);
  const viaLabel = labels.some((l) => ring(getComputedStyle(l)));
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: el.getAttribute("name") || "",
    label: label.replace(/\\s+/g, " ").trim(), inWidget: !!el.closest(".hushbook-widget"),
    focusVisible: el.matches(":focus-visible"), ring: ring(own) || viaLabel,
    checked: !!el.checked, value: el.value === undefined ? null : String(el.value),
    group: el.closest("fieldset") && el.closest("fieldset").querySelector("legend")
      ? el.closest("fieldset").querySelector("legend").textContent.trim() : "",
  };
}
"""


class Visit:
    """One browser context (a customer's browser): screenshots, axe, focus."""

    def __init__(self, context, test_name: str) -> None:
        self.context = context
        self.page = context.new_page()
        self.test_name = test_name
        self.folder = SHOTS / test_name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        SUMMARY.folders.append(str(self.folder))
        print(f"\nscreenshots: {self.folder}")
        self.step = 0
        self.axe_failures: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.pages = [self.page]
        self._watch(self.page)
        self.focus_log: list[dict] = []

    def _watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda m: (
                self.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )

    def new_page(self):
        page = self.context.new_page()
        self._watch(page)
        self.pages.append(page)
        return page

    @property
    def widget(self):
        return self.page.locator(".hushbook-widget").first

    # screenshots ---------------------------------------------------------------------

    def shot(self, step: str, page=None) -> Path:
        self.step += 1
        path = self.folder / f"{self.step:02d}-{step}.png"
        (page or self.page).screenshot(path=str(path), full_page=True)
        return path

    # accessibility ---------------------------------------------------------------------

    def axe(
        self, step: str, page=None, include: str | None = ".hushbook-widget", strict: bool = True
    ) -> list[dict]:
        """axe-core in the page (evaluated, so a strict CSP does not stop it)."""
        page = page or self.page
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        context = {"include": [include]} if include else {"exclude": []}
        violations = page.evaluate(
            """async (context) => {
                 const r = await axe.run(context, {resultTypes: ["violations"]});
                 return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map((n) => ({target: n.target.join(" "),
                                               summary: n.failureSummary}))}));
               }""",
            context,
        )
        SUMMARY.axe.append({"test": self.test_name, "step": step, "violations": violations})
        for v in violations:
            line = f"axe [{step}] {v['impact']}: {v['id']} ({v['help']}): " + "; ".join(
                f"{n['target']} -> {n['summary']}" for n in v["nodes"]
            )
            print(line)
            if strict and v["impact"] in ("serious", "critical"):
                self.axe_failures.append(line)
        return violations

    def assert_clean(self) -> None:
        problems = []
        if self.axe_failures:
            problems.append(
                "axe-core: serious/critical violations:\n  " + "\n  ".join(self.axe_failures)
            )
        if self.errors:
            problems.append("uncaught page errors:\n  " + "\n  ".join(self.errors))
        assert not problems, (
            "\n".join(problems) + "\nconsole:\n  " + "\n  ".join(self.console[-30:])
        )

    # what the widget recorded ------------------------------------------------------------

    def recorded(self, page=None) -> dict:
        return (page or self.page).evaluate("() => window.__hb || {pow: [], screens: []}")

    def collect_pow(self) -> None:
        for page in self.pages:
            try:
                solves = page.evaluate("() => (window.__hb && window.__hb.pow) || []")
            except Exception:  # noqa: S112 - a closed page has nothing left to tell
                continue
            for solve in solves:
                SUMMARY.pow.append({**solve, "test": self.test_name})
                print(
                    f"proof-of-work in Chromium: {solve['bits']} bits, {solve['ms']} ms, "
                    f"{solve['hashes']} hashes"
                )

    # waiting for screens -------------------------------------------------------------------

    def wait_screen(self, heading: str, timeout: float = 60):
        """The widget's h2 ``heading``; fails early with the widget's alert text."""
        h = self.widget.get_by_role("heading", level=2, name=heading, exact=False)
        alert = self.widget.get_by_role("alert")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if h.count() and h.first.is_visible():
                return h.first
            said = alert.first.inner_text().strip() if alert.count() else ""
            if said and not (h.count() and h.first.is_visible()):
                self.page.wait_for_timeout(300)  # the screen may come with a note
                if h.count() and h.first.is_visible():
                    return h.first
                self.shot("error")
                raise AssertionError(f"waiting for {heading!r}, the widget says: {said}")
            self.page.wait_for_timeout(100)
        self.shot("timeout")
        status = self.widget.get_by_role("status")
        raise AssertionError(
            f"{heading!r} did not appear in {timeout} s; status: "
            f"{status.first.inner_text() if status.count() else ''!r}; console: {self.console[-10:]}"
        )

    # keyboard --------------------------------------------------------------------------------

    def focus(self, page=None) -> dict | None:
        return (page or self.page).evaluate(FOCUS_JS)

    def press_until(self, want, what: str, key: str = "Tab", limit: int = 60, page=None) -> dict:
        page = page or self.page
        info = None
        for presses in range(1, limit + 1):
            page.keyboard.press(key)
            info = self.focus(page)
            if info and info["inWidget"]:
                self.focus_log.append(info)
            if info and want(info):
                return {**info, "presses": presses}
        raise AssertionError(f"{key} never reached {what}; focus ended on {info}")

    def tab_to_label(self, prefix: str, **kw) -> dict:
        return self.press_until(lambda i: i["label"].startswith(prefix), f"{prefix!r}", **kw)

    def focus_rings_missing(self) -> list[str]:
        return sorted(
            {
                f"{i['tag']}[{i['type']}] {i['label'][:40]!r}"
                for i in self.focus_log
                if i["tag"] in ("input", "select", "button", "textarea", "summary", "a")
                and not (i["focusVisible"] and i["ring"])
            }
        )


def screens_until_check(recorded: dict) -> list[str]:
    """The widget's headings in order, up to the "check your mail/phone" screen."""
    headings: list[str] = []
    for entry in recorded.get("screens", []):
        heading = (entry.get("heading") or "").strip()
        if heading and (not headings or headings[-1] != heading):
            headings.append(heading)
        if entry.get("screen") == "check":
            break
    return headings


def config_of(page_html: str) -> dict:
    """The widget's mount configuration in an HTML page (either quoting)."""
    import html as html_lib

    found = re.search(r"data-hushbook-config=(?:'([^']*)'|\"([^\"]*)\")", page_html)
    assert found, "no data-hushbook-config in the page"
    return json.loads(html_lib.unescape(found.group(1) or found.group(2) or ""))


# --- the staff side -------------------------------------------------------------------------


def appointments_of(owner, customer: Customer, date_from, date_to) -> list:
    """Appointments whose (sealed) client opens to the customer's name."""
    found = []
    for appt in owner.appointments.list(date_from=date_from, date_to=date_to):
        profile = appt.client.profile if appt.client is not None else None
        if profile and profile.get("name") == customer.name:
            found.append(appt)
    return found


# --- the plaintext scan -----------------------------------------------------------------------


def personal_values(customers: list[Customer]) -> dict[str, str]:
    from hushbook import sealing

    values: dict[str, str] = {}
    for c in customers:
        who = f"{c.where}/{c.channel}"
        values[f"{who} name"] = c.name
        values[f"{who} tag"] = c.tag
        values[f"{who} e-mail"] = c.email
        values[f"{who} e-mail local part"] = c.email.split("@")[0]
        if c.phone:
            values[f"{who} phone"] = c.phone
            digits = sealing.normalize_phone(c.phone, default_country_code="49")
            values[f"{who} phone digits"] = digits.lstrip("+")
            values[f"{who} phone national"] = "0" + digits.lstrip("+")[2:]
            values[f"{who} phone without blanks"] = c.phone.replace(" ", "")
    return values
