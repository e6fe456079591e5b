"""Message texts per kind and language (German, English): e-mail (plain text and
HTML, ``templates/mail/message.html``), SMS, and the ``.ics`` calendar file.

Only what the recipient needs. To the customer: the business, the service, the
time, the person only where the business shows names, the price, the salon's
address and phone, and the link (or code) to act on — never their own name. To
the team: the appointment's number, time, service, team member and a link into
the staff console — never anything about the client.

The customer's messages are in the booking's language (``Appointment.locale``,
else the salon's), the team's in the salon's; times are the salon's wall-clock
time (:mod:`hushbook_service.localtime`), the zone named when the customer's
language is not the salon's (a visitor from elsewhere). SMS texts are GSM-7
(:func:`gsm7`) and fit in two segments (:func:`sms_segments`).
"""

from __future__ import annotations

import hmac
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_currency
from flask import render_template

from hushbook_service import config, keys, localtime, stealth
from hushbook_service.db import utcnow
from hushbook_service.messaging import links, rules
from hushbook_service.messaging.channels import Content
from hushbook_service.models import Appointment, Message, Tenant

LANGS = ("de", "en")

# Per language and kind: subject, the lead paragraph, the button (label, link
# name), what follows the button, and the SMS. Placeholders: {business}
# {service} {when} (long) {short} (short) {minutes} {code} {id} {staff_name}
# {status} {link} (SMS only).
TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "de": {
        "confirm_request": {
            "subject": "Bitte bestätigen: {service} am {short}",
            "lead": "Sie haben bei {business} einen Termin gebucht. Bitte bestätigen Sie ihn "
            "innerhalb von {minutes} Minuten, sonst verfällt er.",
            "button": "Termin bestätigen|confirm",
            "after": "Oder geben Sie auf der Buchungsseite den Code {code} ein.",
            "sms": "{business}: Termin {service}, {short} bitte binnen {minutes} Min. "
            "bestätigen: {link} oder Code {code}",
        },
        "confirmed": {
            "subject": "Termin bestätigt: {service} am {short}",
            "lead": "Ihr Termin bei {business} ist bestätigt. Die Kalenderdatei hängt an.",
            "button": "Termin ansehen, verschieben oder absagen|manage",
            "after": "",
            "sms": "{business}: Termin bestätigt: {service}, {short}{staff}. "
            "Verschieben/absagen: {link}",
        },
        "reminder": {
            "subject": "Erinnerung: {service} am {short}",
            "lead": "Wir freuen uns auf Sie: Ihr Termin bei {business}.",
            "button": "Termin ansehen, verschieben oder absagen|manage",
            "after": "",
            "sms": "{business}: Erinnerung an Ihren Termin {service}, {short}{staff}. "
            "Verschieben/absagen: {link}",
        },
        "rescheduled": {
            "subject": "Termin verschoben: {service} jetzt am {short}",
            "lead": "Ihr Termin bei {business} ist verschoben. Die Kalenderdatei hängt an: "
            "sie ersetzt den alten Eintrag.",
            "button": "Termin ansehen, verschieben oder absagen|manage",
            "after": "",
            "sms": "{business}: Ihr Termin ist verschoben auf {short}{staff} ({service}). "
            "Verschieben/absagen: {link}",
        },
        "cancelled": {
            "subject": "Termin abgesagt: {service} am {short}",
            "lead": "Ihr Termin bei {business} ist abgesagt. Die Kalenderdatei hängt an: "
            "sie entfernt den Eintrag.",
            "button": "Neuen Termin buchen|book",
            "after": "",
            "sms": "{business}: Ihr Termin {service}, {short} ist abgesagt.",
        },
        "mark_outcome": {
            "subject": "Bitte eintragen: Termin #{id}",
            "lead": "Termin #{id} ({service}, {short}) ist vorbei. Bitte tragen Sie ein, ob "
            "er stattgefunden hat oder die Kundin/der Kunde nicht erschienen ist.",
            "button": "In der Konsole öffnen|console",
            "after": "",
        },
        "team_booked": {
            "subject": "Neue Online-Buchung: Termin #{id}, {short}",
            "lead": "Neue Online-Buchung, noch nicht von der Kundin/dem Kunden bestätigt "
            "(sonst verfällt sie nach {minutes} Minuten).",
            "button": "In der Konsole öffnen|console",
            "after": "",
        },
        "team_confirmed": {
            "subject": "Bestätigt: Termin #{id}, {short}",
            "lead": "Die Online-Buchung ist bestätigt.",
            "button": "In der Konsole öffnen|console",
            "after": "",
        },
        "team_cancelled": {
            "subject": "Abgesagt: Termin #{id}, {short}",
            "lead": "Der Termin ist abgesagt; die Zeit ist wieder frei.",
            "button": "In der Konsole öffnen|console",
            "after": "",
        },
        "team_rescheduled": {
            "subject": "Verschoben: Termin #{id}, jetzt {short}",
            "lead": "Der Termin ist verschoben.",
            "button": "In der Konsole öffnen|console",
            "after": "",
        },
    },
    "en": {
        "confirm_request": {
            "subject": "Please confirm: {service} on {short}",
            "lead": "You booked an appointment at {business}. Please confirm it within "
            "{minutes} minutes, or it expires.",
            "button": "Confirm appointment|confirm",
            "after": "Or enter the code {code} on the booking page.",
            "sms": "{business}: Please confirm your appointment ({service}, {short}) within "
            "{minutes} min: {link} or code {code}",
        },
        "confirmed": {
            "subject": "Appointment confirmed: {service} on {short}",
            "lead": "Your appointment at {business} is confirmed. The calendar file is attached.",
            "button": "View, reschedule or cancel|manage",
            "after": "",
            "sms": "{business}: Appointment confirmed: {service}, {short}{staff}. "
            "Reschedule/cancel: {link}",
        },
        "reminder": {
            "subject": "Reminder: {service} on {short}",
            "lead": "See you soon: your appointment at {business}.",
            "button": "View, reschedule or cancel|manage",
            "after": "",
            "sms": "{business}: Reminder of your appointment {service}, {short}{staff}. "
            "Reschedule/cancel: {link}",
        },
        "rescheduled": {
            "subject": "Appointment moved: {service} now on {short}",
            "lead": "Your appointment at {business} has moved. The calendar file is attached: "
            "it replaces the old entry.",
            "button": "View, reschedule or cancel|manage",
            "after": "",
            "sms": "{business}: Your appointment has moved to {short}{staff} ({service}). "
            "Reschedule/cancel: {link}",
        },
        "cancelled": {
            "subject": "Appointment cancelled: {service} on {short}",
            "lead": "Your appointment at {business} is cancelled. The calendar file is "
            "attached: it removes the entry.",
            "button": "Book a new appointment|book",
            "after": "",
            "sms": "{business}: Your appointment {service}, {short} is cancelled.",
        },
        "mark_outcome": {
            "subject": "Please mark appointment #{id}",
            "lead": "Appointment #{id} ({service}, {short}) is over. Please mark it as "
            "completed or as a no-show.",
            "button": "Open in the console|console",
            "after": "",
        },
        "team_booked": {
            "subject": "New online booking: appointment #{id}, {short}",
            "lead": "A new online booking, not confirmed by the customer yet (it expires "
            "after {minutes} minutes otherwise).",
            "button": "Open in the console|console",
            "after": "",
        },
        "team_confirmed": {
            "subject": "Confirmed: appointment #{id}, {short}",
            "lead": "The online booking is confirmed.",
            "button": "Open in the console|console",
            "after": "",
        },
        "team_cancelled": {
            "subject": "Cancelled: appointment #{id}, {short}",
            "lead": "The appointment is cancelled; the time is free again.",
            "button": "Open in the console|console",
            "after": "",
        },
        "team_rescheduled": {
            "subject": "Moved: appointment #{id}, now {short}",
            "lead": "The appointment has moved.",
            "button": "Open in the console|console",
            "after": "",
        },
    },
}
LABELS = {
    "de": {
        "when": "Wann",
        "service": "Leistung",
        "staff": "Bei",
        "price": "Preis",
        "where": "Wo",
        "phone": "Telefon",
        "appointment": "Termin",
        "status": "Status",
        "team_member": "Teammitglied",
        "source": "Gebucht über",
        "fallback": "Falls die Schaltfläche nicht geht, öffnen Sie diesen Link:",
        "automatic": "Eine automatische Nachricht von {business}.",
        "team_footer": "Eine automatische Nachricht an das Team von {business}. Ob Sie "
        "solche E-Mails bekommen, stellen Sie in der Konsole bei Ihrem Konto ein.",
        "sms_with": ", bei {name}",
        "ics_manage": "Ansehen, verschieben oder absagen",
    },
    "en": {
        "when": "When",
        "service": "Service",
        "staff": "With",
        "price": "Price",
        "where": "Where",
        "phone": "Phone",
        "appointment": "Appointment",
        "status": "Status",
        "team_member": "Team member",
        "source": "Booked",
        "fallback": "If the button does not work, open this link:",
        "automatic": "An automatic message from {business}.",
        "team_footer": "An automatic message to the team of {business}. Whether you get "
        "these e-mails is a setting of your account in the console.",
        "sms_with": ", with {name}",
        "ics_manage": "View, reschedule or cancel",
    },
}
STATUS = {
    "de": {
        "pending": "unbestätigt",
        "confirmed": "bestätigt",
        "completed": "erledigt",
        "no_show": "nicht erschienen",
        "cancelled": "abgesagt",
        "expired": "verfallen",
    },
    "en": {
        "pending": "not confirmed yet",
        "confirmed": "confirmed",
        "completed": "completed",
        "no_show": "no-show",
        "cancelled": "cancelled",
        "expired": "expired",
    },
}
SOURCE = {
    "de": {"online": "online", "phone": "Telefon", "walk_in": "vor Ort", "staff": "Team"},
    "en": {"online": "online", "phone": "phone", "walk_in": "walk-in", "staff": "team"},
}
SHORT_FORMAT = {"de": "EEE dd.MM., HH:mm", "en": "EEE d MMM, HH:mm"}
SMS_NAME_MAX = 30  # the business and the service in an SMS: two segments at most


def status_word(status: str, lang: str) -> str:
    """An appointment's status as people say it (``pending`` -> "not confirmed yet")."""
    return STATUS.get(lang, STATUS["en"]).get(status, status)


def customer_language(appointment: Appointment, tenant: Tenant) -> str:
    """The customer's language: the booking's, else the salon's (else English)."""
    for lang in (appointment.locale, tenant.locale):
        if lang in LANGS:
            return lang
    return "en"


def _babel(lang: str) -> str:
    return localtime.BABEL_LOCALES.get(lang, "en_GB")


def short_when(when: datetime, tz: ZoneInfo, lang: str) -> str:
    """ "Di. 03.03., 14:30" / "Tue 3 Mar, 14:30": for subjects and SMS."""
    return format_datetime(when.astimezone(tz), SHORT_FORMAT.get(lang, "en"), locale=_babel(lang))


def price(cents: int, currency: str, lang: str) -> str:
    return format_currency(cents / 100, currency, locale=_babel(lang))


# --- SMS: GSM 03.38 ---------------------------------------------------------------------

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€")  # two septets each
_PLAIN = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "„": '"',
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "•": "-",
        "·": "-",
        "Ł": "L",  # letters NFKD does not take apart
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "ð": "d",
        "Þ": "Th",
        "þ": "th",
        "Œ": "OE",
        "œ": "oe",
        "ı": "i",
    }
)


def gsm7(text: str) -> str:
    """``text`` in the GSM 7-bit alphabet (one segment holds 160 characters, not
    70): typographic quotes and dashes made plain, other letters without their
    accents (ç -> c); what has no plain form becomes "?". Umlauts and ß are GSM-7."""
    out = []
    for char in text.translate(_PLAIN):
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
            continue
        bare = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(bare if bare and all(c in GSM7_BASIC for c in bare) else "?")
    return "".join(out)


def sms_segments(text: str) -> tuple[str, int]:
    """(encoding, segments) an SMS of ``text`` costs: GSM-7 160 characters in one
    segment, 153 per segment when concatenated (extension characters count twice);
    UCS-2 70, and 67 when concatenated."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        units = len(text) + sum(1 for c in text if c in GSM7_EXTENSION)
        return "GSM-7", 1 if units <= 160 else math.ceil(units / 153)
    units = len(text.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else math.ceil(units / 67)


def one_line(value: str) -> str:
    """A multi-line address on one line ("Hauptstr. 1, 10115 Berlin")."""
    return ", ".join(part.strip() for part in value.splitlines() if part.strip())


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# --- the calendar file ------------------------------------------------------------------


def _opaque(label: str, value: str) -> str:
    """A stable, unguessable name for a row (message ids and calendar UIDs must not
    count the salon's bookings for whoever receives them)."""
    secret = keys.instance_key("message-ids")
    return hmac.new(secret, f"{label}|{value}".encode(), "sha256").hexdigest()[:24]


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(when: datetime) -> str:
    return when.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued with CRLF and a space
    (never inside a UTF-8 character)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def public_host() -> str:
    """The host of ``HUSHBOOK_PUBLIC_URL``, without port or path: the UID's domain."""
    return urlsplit(config.public_url()).hostname or "hushbook.invalid"


def calendar_uid(appointment: Appointment) -> str:
    """The same for the whole life of the appointment: calendar apps update or
    cancel the entry they already have."""
    return f"{_opaque('appointment', str(appointment.id))}@{public_host()}"


def ics(
    appointment: Appointment,
    tenant: Tenant,
    lang: str,
    cancelled: bool,
    manage_url: str | None = None,
) -> str:
    """An RFC 5545 event in the customer's language: SEQUENCE 0 when confirmed, one
    more per change (``Appointment.ics_sequence``); the salon's address as LOCATION;
    an alarm only where the customer agreed to reminders."""
    service = appointment.service.name
    label = LABELS[lang]
    description = [f"{service} – {tenant.name}"]
    if tenant.show_staff_names:
        description.append(f"{label['staff']}: {appointment.staff.shown_name}")
    if appointment.price_cents:
        description.append(
            f"{label['price']}: {price(appointment.price_cents, tenant.currency, lang)}"
        )
    if tenant.phone:
        description.append(f"{label['phone']}: {tenant.phone}")
    if manage_url and not cancelled:
        description.append(f"{label['ics_manage']}: {manage_url}")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Hushbook//Booking//EN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{calendar_uid(appointment)}",
        f"SEQUENCE:{appointment.ics_sequence}",
        f"DTSTAMP:{_ics_time(utcnow())}",
        f"DTSTART:{_ics_time(appointment.start_at)}",
        f"DTEND:{_ics_time(appointment.end_at)}",
        f"SUMMARY:{_ics_text(f'{service} – {tenant.name}')}",
    ]
    if tenant.address:
        lines.append(f"LOCATION:{_ics_text(f'{tenant.name}, {one_line(tenant.address)}')}")
    lines.append(f"DESCRIPTION:{_ics_text(chr(10).join(description))}")
    if manage_url and not cancelled:
        lines.append(f"URL:{manage_url}")
    lines.append(f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}")
    if not cancelled and rules.wants_reminders(appointment):
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_ics_text(f'{service} – {tenant.name}')}",
            "TRIGGER:-PT1H",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def calendar_file(appointment: Appointment) -> str:
    """The appointment's current ``.ics`` (the pages' "add to calendar" download)."""
    tenant = Tenant.get_by_id(appointment.tenant_id)
    lang = customer_language(appointment, tenant)
    cancelled = appointment.status == "cancelled"
    return ics(appointment, tenant, lang, cancelled)


# --- rendering ------------------------------------------------------------------------


@dataclass
class Rendered:
    """What one message says, before it becomes an e-mail or an SMS."""

    lang: str
    subject: str
    lead: str
    button: tuple[str, str] | None  # (label, URL)
    after: str
    details: list[tuple[str, str]]
    footer: str
    sms: str


def _accent(tenant: Tenant) -> tuple[str, str]:
    """The button's colours: the salon's accent (text black or white, whichever reads)."""
    colour = tenant.accent_colour or "#1f4f8b"
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return colour, "#000000" if luminance > 0.179 else "#ffffff"


def compose(row: Message, appointment: Appointment, tenant: Tenant | None = None) -> Rendered:
    """The words of one message of the ledger, in its recipient's language."""
    tenant = tenant or Tenant.get_by_id(appointment.tenant_id)
    who = rules.audience(row.kind)
    lang = (
        customer_language(appointment, tenant)
        if who == "customer"
        else (tenant.locale if tenant.locale in LANGS else "en")
    )
    kind = "reminder" if row.kind.startswith("reminder") else row.kind
    text = TEXTS[lang][kind]
    label = LABELS[lang]
    tz = ZoneInfo(tenant.timezone)
    when = localtime.describe_span(appointment.start_at, appointment.end_at, tz, lang)
    if who == "customer" and lang != tenant.locale:  # from elsewhere: say which time
        when += f" ({localtime.zone_name(tz, lang, appointment.start_at)})"
    service = appointment.service.name
    values = {
        "business": tenant.name,
        "service": service,
        "when": when,
        "short": short_when(appointment.start_at, tz, lang),
        "minutes": stealth.settings_of(tenant)["pending_expiry_min"],
        "code": "",
        "id": appointment.id,
        "staff": "",
        "link": "",
    }
    urls = {}
    if row.kind == "confirm_request":
        urls["confirm"] = links.confirm_link(appointment)
        values["code"] = links.confirmation_code(appointment)
    elif kind in ("confirmed", "reminder", "rescheduled"):
        urls["manage"] = links.manage_link(appointment)
    elif kind == "cancelled":
        urls["book"] = f"{config.public_url()}/book/{tenant.slug}?lang={lang}"
    else:
        urls["console"] = f"{config.public_url()}/console/?appointment={appointment.id}"
    button_label, link_name = text["button"].split("|")
    details: list[tuple[str, str]]
    if who == "customer":
        details = [(label["when"], when), (label["service"], service)]
        if tenant.show_staff_names:
            details.append((label["staff"], appointment.staff.shown_name))
            values["staff"] = label["sms_with"].format(name=_clip(appointment.staff.shown_name, 20))
        if appointment.price_cents:
            details.append((label["price"], price(appointment.price_cents, tenant.currency, lang)))
        if tenant.address:
            details.append((label["where"], f"{tenant.name}, {one_line(tenant.address)}"))
        if tenant.phone:
            details.append((label["phone"], tenant.phone))
        footer = label["automatic"].format(business=tenant.name)
    else:  # the team: ids, time, service and who does it; never the client
        details = [
            (label["appointment"], f"#{appointment.id}"),
            (label["when"], when),
            (label["service"], service),
            (label["team_member"], appointment.staff.display_name),
            (label["status"], status_word(appointment.status, lang)),
            (label["source"], SOURCE[lang].get(appointment.source, appointment.source)),
        ]
        footer = label["team_footer"].format(business=tenant.name)
    sms = ""
    if "sms" in text:
        sms_values = {
            **values,
            "business": _clip(tenant.name, SMS_NAME_MAX),
            "service": _clip(service, SMS_NAME_MAX),
            "link": urls.get(link_name, ""),
        }
        sms = gsm7(text["sms"].format(**sms_values))
    return Rendered(
        lang=lang,
        subject=text["subject"].format(**values),
        lead=text["lead"].format(**values),
        button=(button_label, urls[link_name]),
        after=text["after"].format(**values),
        details=details,
        footer=footer,
        sms=sms,
    )


def _plain(r: Rendered) -> str:
    parts = [r.lead]
    if r.button:
        parts.append(f"{r.button[0]}:\n{r.button[1]}")
    if r.after:
        parts.append(r.after)
    parts.append("\n".join(f"{name}: {value}" for name, value in r.details))
    return "\n\n".join(parts) + "\n\n-- \n" + r.footer + "\n"


def render(row: Message, appointment: Appointment) -> Content:
    """The message as it goes out on its row's channel (an SMS: ``text`` only)."""
    tenant = Tenant.get_by_id(appointment.tenant_id)
    r = compose(row, appointment, tenant)
    accent, on_accent = _accent(tenant)
    html = render_template(
        "mail/message.html",
        lang=r.lang,
        business=tenant.name,
        subject=r.subject,
        lead=r.lead,
        button=r.button,
        after=r.after,
        details=r.details,
        footer=r.footer,
        fallback=LABELS[r.lang]["fallback"],
        accent=accent,
        on_accent=on_accent,
    )
    kind = row.kind
    attach = kind in ("confirmed", "rescheduled", "cancelled") or kind.startswith("reminder")
    calendar = None
    if attach and row.channel == "email":
        manage = r.button[1] if r.button and kind != "cancelled" else None
        calendar = ics(appointment, tenant, r.lang, kind == "cancelled", manage)
    return Content(
        subject=r.subject,
        text=r.sms if row.channel == "sms" else _plain(r),
        html=html,
        sender_name=tenant.name,
        message_key="hb-" + _opaque("message", f"{row.id}|{row.version}"),
        ics=calendar,
        ics_method="CANCEL" if kind == "cancelled" else "PUBLISH",
    )
