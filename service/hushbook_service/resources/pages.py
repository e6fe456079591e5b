"""Pages behind the links in messages (a GET shows, only a POST changes).

The routes are in :mod:`hushbook_service.resources.public`; this module renders
their HTML from the package's templates (``templates/confirm.html``,
``templates/manage.html``, both extending ``templates/layout.html``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, render_template, request

from hushbook_service.models import Tenant

TEXT: dict[str, dict[str, Any]] = {
    "de": {
        "confirm_title": "Termin bestätigen",
        "confirm_button": "Jetzt bestätigen",
        "confirmed": "Ihr Termin ist bestätigt.",
        "failed": "Dieser Link ist nicht mehr gültig. Bitte buchen Sie erneut.",
        "manage_title": "Ihr Termin",
        "cancel_button": "Termin absagen",
        "cancelled": "Ihr Termin ist abgesagt.",
        "cannot": "Dieser Termin kann online nicht mehr geändert werden.",
        "status": {
            "pending": "noch nicht bestätigt",
            "confirmed": "bestätigt",
            "cancelled": "abgesagt",
            "expired": "verfallen",
            "completed": "erledigt",
            "no_show": "nicht erschienen",
        },
    },
    "en": {
        "confirm_title": "Confirm your appointment",
        "confirm_button": "Confirm now",
        "confirmed": "Your appointment is confirmed.",
        "failed": "This link is no longer valid. Please book again.",
        "manage_title": "Your appointment",
        "cancel_button": "Cancel appointment",
        "cancelled": "Your appointment is cancelled.",
        "cannot": "This appointment can no longer be changed online.",
        "status": {
            "pending": "not confirmed yet",
            "confirmed": "confirmed",
            "cancelled": "cancelled",
            "expired": "expired",
            "completed": "completed",
            "no_show": "missed",
        },
    },
}


def language() -> str:
    best = request.accept_languages.best_match(list(TEXT))
    return best or "de"


def page(template: str, title: str, status: int = 200, **context) -> Response:
    """``template`` (extending layout.html) as a page that is never cached or indexed."""
    html = render_template(template, lang=language(), title=title, **context)
    return Response(
        html,
        status,
        {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'",
        },
        content_type="text/html; charset=utf-8",
    )


def wants_html() -> bool:
    """A browser following a link (or posting the page's form), not an API client."""
    if request.mimetype == "application/x-www-form-urlencoded":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def confirm_page(outcome: str | None = None, status: int = 200) -> Response:
    """The confirmation link's page: the button, or ``outcome`` ("confirmed", "failed")."""
    text = TEXT[language()]
    return page(
        "confirm.html",
        text["confirm_title"],
        status,
        button=text["confirm_button"],
        message=text[outcome] if outcome else None,
    )


def manage_page(
    appointment, info: dict, token: str, note: str | None = None, status: int = 200
) -> Response:
    """The manage link's page; ``info`` is what the API shows of ``appointment``."""
    text = TEXT[language()]
    tz = ZoneInfo(Tenant.get_by_id(appointment.tenant_id).timezone)
    when = info["start"].astimezone(tz).strftime("%d.%m.%Y %H:%M")
    rows = [
        info["business"],
        info["service"] + (f" · {info['staff']}" if info["staff"] else ""),
        when,
        text["status"].get(info["status"], info["status"]),
    ]
    return page(
        "manage.html",
        text["manage_title"],
        status,
        rows=rows,
        note=note,
        can_cancel=info["can_cancel"],
        token=token,
        cancel_button=text["cancel_button"],
    )
