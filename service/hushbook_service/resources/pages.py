"""Pages behind the links in messages (a GET shows, only a POST changes).

The routes are in :mod:`hushbook_service.resources.public`; this module renders
their HTML from the package's templates (``templates/confirm.html``,
``templates/manage.html``, ``templates/link.html``, extending
``templates/layout.html``): the appointment in the visitor's language and the
salon's time zone, the salon's address and phone, the calendar file, and on the
manage page cancelling (asked once more) and moving (``static/page.js`` asks the
manage link's offers and moves to the one chosen).
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, render_template, request

from hushbook_service.db import utcnow
from hushbook_service.localtime import describe_instant, describe_span, zone_name
from hushbook_service.messaging import links
from hushbook_service.models import Appointment, Tenant

TEXT: dict[str, dict[str, Any]] = {
    "de": {
        "confirm_title": "Termin bestätigen",
        "confirm_intro": "Bitte bestätigen Sie diesen Termin:",
        "confirm_button": "Jetzt bestätigen",
        "confirmed_title": "Ihr Termin ist bestätigt",
        "confirmed": "Ihr Termin ist bestätigt.",
        "failed": "Dieser Link ist nicht mehr gültig. Bitte buchen Sie erneut.",
        "link_title": "Link ungültig",
        "link_gone": "Dieser Link ist nicht mehr gültig.",
        "link_busy": "Zu viele Aufrufe. Bitte versuchen Sie es in einigen Minuten noch einmal.",
        "manage_title": "Ihr Termin",
        "details": "Termin",
        "salon": "Salon",
        "service": "Leistung",
        "staff": "Bei",
        "when": "Wann",
        "status_label": "Status",
        "address": "Adresse",
        "phone": "Telefon",
        "zone_note": "Alle Zeiten in der Zeitzone des Salons: {zone}.",
        "calendar": "Zum Kalender hinzufügen (.ics)",
        "manage_link": "Termin absagen oder verschieben",
        "book_again": "Erneut buchen",
        "until": "Online absagen oder verschieben können Sie bis {until}.",
        "too_late": "Ihr Termin ist zu nah, um ihn online zu ändern. Bitte rufen Sie uns an:",
        "too_late_no_phone": "Ihr Termin ist zu nah, um ihn online zu ändern. "
        "Bitte wenden Sie sich direkt an den Salon.",
        "cancel_heading": "Termin absagen",
        "cancel_button": "Termin absagen …",
        "cancel_question": "Möchten Sie diesen Termin wirklich absagen?",
        "cancel_yes": "Ja, Termin absagen",
        "cancel_no": "Nein, Termin behalten",
        "cancelled": "Ihr Termin ist abgesagt.",
        "moved": "Ihr Termin ist verschoben. Sie bekommen eine Bestätigung.",
        "cannot": "Dieser Termin kann online nicht mehr geändert werden.",
        "move_heading": "Termin verschieben",
        "move_intro": "Sagen Sie uns, wann es Ihnen passt: Wir schlagen Ihnen einige Zeiten vor.",
        "needs_js": "Zum Verschieben wird JavaScript benötigt. Sie können uns auch anrufen.",
        "imprint": "Impressum",
        "privacy": "Datenschutz",
        "status": {
            "pending": "noch nicht bestätigt",
            "confirmed": "bestätigt",
            "cancelled": "abgesagt",
            "expired": "verfallen",
            "completed": "erledigt",
            "no_show": "nicht erschienen",
        },
        "script": {
            "locale": "de-DE",
            "days": "Tage",
            "next_7": "Nächste 7 Tage",
            "week_after": "Die Woche danach",
            "choose_dates": "Zeitraum wählen",
            "date_from": "Von",
            "date_to": "Bis",
            "parts": "Tageszeit (optional)",
            "morning": "Vormittag",
            "afternoon": "Nachmittag",
            "evening": "Abend",
            "show_times": "Termine anzeigen",
            "searching": "Suche passende Zeiten …",
            "offers": "Neue Zeit wählen",
            "offers_found": "{n} Zeiten gefunden.",
            "no_exact_fit": "Nichts passt genau. Diese Zeiten liegen nah dran:",
            "no_offers": "In diesem Zeitraum ist nichts frei. Bitte versuchen Sie andere Tage.",
            "with": "bei {name}",
            "move": "Auf diese Zeit verschieben",
            "moving": "Verschiebe …",
            "choose_one": "Bitte wählen Sie eine Zeit.",
            "err_dates": "Bitte wählen Sie Anfang und Ende (höchstens 14 Tage).",
            "err_rate": "Zu viele Anfragen. Bitte versuchen Sie es in {n} Sekunden noch einmal.",
            "err_taken": "Diese Zeit ist gerade vergeben worden. Bitte wählen Sie eine andere.",
            "err_expired": "Diese Angebote sind abgelaufen. Bitte suchen Sie noch einmal.",
            "err_late": "Ihr Termin ist zu nah, um ihn online zu ändern. Bitte rufen Sie uns an.",
            "err_generic": "Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.",
        },
    },
    "en": {
        "confirm_title": "Confirm your appointment",
        "confirm_intro": "Please confirm this appointment:",
        "confirm_button": "Confirm now",
        "confirmed_title": "Your appointment is confirmed",
        "confirmed": "Your appointment is confirmed.",
        "failed": "This link is no longer valid. Please book again.",
        "link_title": "Link not valid",
        "link_gone": "This link is no longer valid.",
        "link_busy": "Too many requests. Please try again in a few minutes.",
        "manage_title": "Your appointment",
        "details": "Appointment",
        "salon": "Salon",
        "service": "Service",
        "staff": "With",
        "when": "When",
        "status_label": "Status",
        "address": "Address",
        "phone": "Phone",
        "zone_note": "All times are in the salon's time zone: {zone}.",
        "calendar": "Add to calendar (.ics)",
        "manage_link": "Cancel or move this appointment",
        "book_again": "Book again",
        "until": "You can cancel or move this appointment online until {until}.",
        "too_late": "Your appointment is too close to change it online. Please call us:",
        "too_late_no_phone": "Your appointment is too close to change it online. "
        "Please contact the salon directly.",
        "cancel_heading": "Cancel the appointment",
        "cancel_button": "Cancel appointment…",
        "cancel_question": "Do you really want to cancel this appointment?",
        "cancel_yes": "Yes, cancel it",
        "cancel_no": "No, keep it",
        "cancelled": "Your appointment is cancelled.",
        "moved": "Your appointment has been moved. A confirmation is on its way.",
        "cannot": "This appointment can no longer be changed online.",
        "move_heading": "Move the appointment",
        "move_intro": "Tell us when it would suit you and we offer you a few times.",
        "needs_js": "Moving online needs JavaScript. You can also call us.",
        "imprint": "Imprint",
        "privacy": "Privacy policy",
        "status": {
            "pending": "not confirmed yet",
            "confirmed": "confirmed",
            "cancelled": "cancelled",
            "expired": "expired",
            "completed": "completed",
            "no_show": "missed",
        },
        "script": {
            "locale": "en-GB",
            "days": "Days",
            "next_7": "Next 7 days",
            "week_after": "The week after",
            "choose_dates": "Choose dates",
            "date_from": "From",
            "date_to": "To",
            "parts": "Time of day (optional)",
            "morning": "Morning",
            "afternoon": "Afternoon",
            "evening": "Evening",
            "show_times": "Show times",
            "searching": "Looking for times…",
            "offers": "Choose a new time",
            "offers_found": "{n} times found.",
            "no_exact_fit": "Nothing fits your wish exactly. These times are close:",
            "no_offers": "No free time in that period. Please try other days.",
            "with": "with {name}",
            "move": "Move to this time",
            "moving": "Moving…",
            "choose_one": "Please choose a time.",
            "err_dates": "Please choose a start and end date (at most 14 days).",
            "err_rate": "Too many requests. Please try again in {n} seconds.",
            "err_taken": "Sorry, this time was just taken. Please choose another one.",
            "err_expired": "These times have expired. Please look again.",
            "err_late": "Your appointment is too close to change it online. Please call us.",
            "err_generic": "Something went wrong. Please try again.",
        },
    },
}
# Only the service's own script, stylesheet and forms; nothing else loads or runs.
CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def language(appointment: Appointment | None = None) -> str:
    """``?lang=``, else the booking's language (the customer's, as they booked),
    else the visitor's browser, else the salon's language, else German."""
    wanted = request.args.get("lang")
    if wanted in TEXT:
        return wanted
    if appointment is not None and appointment.locale in TEXT:
        return appointment.locale
    best = request.accept_languages.best_match(list(TEXT))
    if best:
        return best
    if appointment is not None:
        locale = Tenant.get_by_id(appointment.tenant_id).locale
        if locale in TEXT:
            return locale
    return "de"


def page(
    template: str,
    title: str,
    status: int = 200,
    *,
    lang: str | None = None,
    tenant: Tenant | None = None,
    **context,
) -> Response:
    """``template`` (extending layout.html) as a page that is never cached or indexed."""
    lang = lang or language()
    html = render_template(
        template, lang=lang, title=title, text=TEXT[lang], salon=tenant, **context
    )
    return Response(
        html,
        status,
        {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CSP,
        },
        content_type="text/html; charset=utf-8",
    )


def wants_html() -> bool:
    """A browser following a link (or posting the page's form), not an API client."""
    if request.mimetype == "application/x-www-form-urlencoded":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _appointment_view(appointment: Appointment, info: dict, lang: str) -> dict:
    """What the pages show of an appointment (``info``: what the API shows)."""
    tenant = Tenant.get_by_id(appointment.tenant_id)
    tz = ZoneInfo(tenant.timezone)
    text = TEXT[lang]
    rows = [
        (text["salon"], tenant.name),
        (text["service"], info["service"]),
    ]
    if info["staff"]:
        rows.append((text["staff"], info["staff"]))
    rows.append((text["when"], describe_span(info["start"], info["end"], tz, lang)))
    rows.append((text["status_label"], text["status"].get(info["status"], info["status"])))
    return {
        "rows": rows,
        "zone": tenant.timezone,
        "zone_note": text["zone_note"].format(zone=zone_name(tz, lang, info["start"])),
        "book_again": f"{request.script_root}/book/{tenant.slug}?lang={lang}",
        "tenant": tenant,
    }


def confirm_page(
    token: str,
    appointment: Appointment | None,
    info: dict | None,
    outcome: str | None = None,
    status: int = 200,
) -> Response:
    """The confirmation link's page: the appointment and a button (GET), then what
    came of it (POST): ``outcome`` "confirmed" (with the calendar file and the
    manage link) or "failed"."""
    lang = language(appointment)
    text = TEXT[lang]
    if appointment is None or info is None:
        title = text["confirm_title"]
        return page("confirm.html", title, status, lang=lang, message=text["failed"])
    view = _appointment_view(appointment, info, lang)
    tenant = view.pop("tenant")
    context: dict[str, Any] = {**view, "message": None}
    title = text["confirm_title"]
    if outcome == "confirmed":
        manage = f"{request.script_root}{links.manage_path(links.manage_token(appointment))}"
        context.update(
            message=text["confirmed"],
            calendar=f"{manage}/calendar.ics",
            manage=f"{manage}?lang={lang}",
        )
        title = text["confirmed_title"]
    elif outcome == "failed":
        context["message"] = text["failed"]
    else:
        context["action"] = f"{request.script_root}{links.confirm_path(token)}?lang={lang}"
    return page("confirm.html", title, status, lang=lang, tenant=tenant, **context)


def manage_page(
    appointment: Appointment,
    info: dict,
    token: str,
    note: str | None = None,
    status: int = 200,
    *,
    step: str | None = None,
) -> Response:
    """The manage link's page; ``info`` is what the API shows of ``appointment``.

    ``step`` "cancel" asks whether to cancel (the form's POST does it); ``note``
    (a key of the texts: "cancelled", "moved", "cannot") says what just happened."""
    lang = language(appointment)
    text = TEXT[lang]
    view = _appointment_view(appointment, info, lang)
    tenant: Tenant = view.pop("tenant")
    tz = ZoneInfo(tenant.timezone)
    base = f"{request.script_root}{links.manage_path(token)}"
    live = info["status"] in ("pending", "confirmed") and info["start"] > utcnow()
    too_late = live and not info["can_cancel"]
    script = None
    if info["can_reschedule"] and step != "cancel":
        script = json.dumps(
            {
                "challenge": f"{base}/challenge",
                "offers": f"{base}/offers",
                "reschedule": f"{base}/reschedule",
                "done": f"{request.script_root}/v1/public/manage/{{token}}?lang={lang}&done=moved",
                "zone": tenant.timezone,
                "texts": text["script"],
            },
            separators=(",", ":"),
        )
    return page(
        "manage.html",
        text["manage_title"],
        status,
        lang=lang,
        tenant=tenant,
        **view,
        note=text[note] if note else None,
        step=step if info["can_cancel"] else None,
        can_cancel=info["can_cancel"],
        too_late=too_late,
        until=describe_instant(info["changes_until"], tz, lang) if info["can_cancel"] else None,
        cancel_action=f"{base}/cancel?lang={lang}",
        cancel_ask=f"{base}?lang={lang}&step=cancel",
        back=f"{base}?lang={lang}",
        calendar=f"{base}/calendar.ics" if live else None,
        reschedule=script,
    )


def link_page(reason: str, status: int, headers: dict | None = None) -> Response:
    """A short link that leads nowhere: ``reason`` "gone" (unknown or expired) or
    "busy" (too many tries from this address)."""
    lang = language()
    text = TEXT[lang]
    response = page(
        "confirm.html", text["link_title"], status, lang=lang, message=text[f"link_{reason}"]
    )
    response.headers.update(headers or {})
    return response
