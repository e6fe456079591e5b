"""Message texts per kind and language (German, English), plain text + HTML + .ics.

Only what the recipient needs: the business, the service, the time, and the
link (or code) to act on. No client name, no other appointment, no staff name
unless the business shows names publicly. The HTML body is the plain text's
paragraphs in ``templates/mail/message.html``.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import render_template

from hushbook_service import config, keys, stealth
from hushbook_service.db import utcnow
from hushbook_service.messaging import links
from hushbook_service.messaging.channels import Content
from hushbook_service.models import Appointment, Message, Tenant

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # kind: (subject, body); body placeholders: {business} {service} {when} {staff}
    "de": {
        "confirm_request": (
            "Bitte bestätigen Sie Ihren Termin bei {business}",
            "Sie haben {service} am {when}{staff} gebucht. Bitte bestätigen Sie den Termin "
            "innerhalb von {minutes} Minuten, sonst verfällt er:\n\n{confirm_link}\n\n"
            "Oder geben Sie diesen Code ein: {code}",
        ),
        "confirmed": (
            "Termin bestätigt: {service} am {when}",
            "Ihr Termin bei {business} ist bestätigt: {service} am {when}{staff}.\n\n"
            "Absagen oder verschieben: {manage_link}",
        ),
        "reminder": (
            "Erinnerung: {service} am {when}",
            "Wir freuen uns auf Sie: {service} bei {business} am {when}{staff}.\n\n"
            "Absagen oder verschieben: {manage_link}",
        ),
        "rescheduled": (
            "Termin verschoben: {service} am {when}",
            "Ihr Termin bei {business} ist jetzt am {when}{staff} ({service}).\n\n"
            "Absagen oder verschieben: {manage_link}",
        ),
        "cancelled": (
            "Termin abgesagt: {service} am {when}",
            "Ihr Termin bei {business} ({service} am {when}) ist abgesagt.",
        ),
        "mark_outcome": (
            "Bitte eintragen: Termin #{appointment_id}",
            "Termin #{appointment_id} ({service} am {when}) ist vorbei. Bitte tragen Sie ein, "
            "ob er stattgefunden hat oder die Kundin/der Kunde nicht erschienen ist.",
        ),
    },
    "en": {
        "confirm_request": (
            "Please confirm your appointment at {business}",
            "You booked {service} on {when}{staff}. Please confirm within {minutes} minutes, "
            "or it expires:\n\n{confirm_link}\n\nOr enter this code: {code}",
        ),
        "confirmed": (
            "Appointment confirmed: {service} on {when}",
            "Your appointment at {business} is confirmed: {service} on {when}{staff}.\n\n"
            "Cancel or reschedule: {manage_link}",
        ),
        "reminder": (
            "Reminder: {service} on {when}",
            "See you soon: {service} at {business} on {when}{staff}.\n\n"
            "Cancel or reschedule: {manage_link}",
        ),
        "rescheduled": (
            "Appointment moved: {service} on {when}",
            "Your appointment at {business} is now on {when}{staff} ({service}).\n\n"
            "Cancel or reschedule: {manage_link}",
        ),
        "cancelled": (
            "Appointment cancelled: {service} on {when}",
            "Your appointment at {business} ({service} on {when}) is cancelled.",
        ),
        "mark_outcome": (
            "Please mark appointment #{appointment_id}",
            "Appointment #{appointment_id} ({service} on {when}) is over. Please mark it as "
            "completed or as a no-show.",
        ),
    },
}
WITH = {"de": " bei {name}", "en": " with {name}"}
DATE_FORMAT = {"de": "%d.%m.%Y um %H:%M Uhr", "en": "%d %b %Y at %H:%M"}


def _opaque(label: str, value: str) -> str:
    """A stable, unguessable name for a row (message ids and calendar UIDs must not
    count the salon's bookings for whoever receives them)."""
    secret = keys.instance_key("message-ids")
    return hmac.new(secret, f"{label}|{value}".encode(), "sha256").hexdigest()[:24]


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(when: datetime) -> str:
    return when.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def ics(appointment: Appointment, tenant: Tenant, service: str, cancelled: bool, seq: int) -> str:
    """An RFC 5545 event: the same UID for the whole life of the appointment."""
    host = config.public_url().split("//", 1)[-1].split("/", 1)[0] or "hushbook"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Hushbook//Booking//EN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{_opaque('appointment', str(appointment.id))}@{host}",
        f"SEQUENCE:{seq}",
        f"DTSTAMP:{_ics_time(utcnow())}",
        f"DTSTART:{_ics_time(appointment.start_at)}",
        f"DTEND:{_ics_time(appointment.end_at)}",
        f"SUMMARY:{_ics_text(f'{service} – {tenant.name}')}",
        f"LOCATION:{_ics_text(tenant.name)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def _sequence(appointment: Appointment) -> int:
    """RFC 5545 SEQUENCE: grows with every change of the appointment."""
    return int(appointment.updated_at.timestamp() - appointment.created_at.timestamp())


def render(row: Message, appointment: Appointment) -> Content:
    tenant = Tenant.get_by_id(appointment.tenant_id)
    lang = tenant.locale if tenant.locale in TEXTS else "en"
    kind = "reminder" if row.kind.startswith("reminder") else row.kind
    subject, body = TEXTS[lang][kind]
    when = appointment.start_at.astimezone(ZoneInfo(tenant.timezone))
    service = appointment.service.name
    staff = ""
    if tenant.show_staff_names:
        staff = WITH[lang].format(name=appointment.staff.shown_name)
    values = {
        "business": tenant.name,
        "service": service,
        "when": when.strftime(DATE_FORMAT[lang]),
        "staff": staff,
        "minutes": stealth.settings_of(tenant)["pending_expiry_min"],
        "confirm_link": "",
        "code": "",
        "manage_link": "",
        "appointment_id": appointment.id,
    }
    if row.kind == "confirm_request":
        values["confirm_link"] = links.confirm_link(appointment)
        values["code"] = links.confirmation_code(appointment)
    elif row.kind not in ("cancelled", "mark_outcome"):
        values["manage_link"] = links.manage_link(appointment)
    text = body.format(**values)
    html = render_template(
        "mail/message.html",
        lang=lang,
        subject=subject.format(**values),
        paragraphs=[par.split("\n") for par in text.split("\n\n")],
    )
    attach = row.kind in ("confirmed", "rescheduled", "cancelled") or kind == "reminder"
    return Content(
        subject=subject.format(**values),
        text=text + "\n\n-- \n" + tenant.name + "\n",
        html=html,
        sender_name=tenant.name,
        message_key="hb-" + _opaque("message", f"{row.id}|{row.version}"),
        ics=ics(appointment, tenant, service, row.kind == "cancelled", _sequence(appointment))
        if attach
        else None,
        ics_method="CANCEL" if row.kind == "cancelled" else "PUBLISH",
    )
