"""/book/{slug}: a salon's standalone booking page (the widget, no website needed).

A salon without a website shares this link; `hushbook demo` opens it for the demo
salon. The page is the same widget the WordPress plugin embeds, talking to
/v1/public directly. Assets come from the package's static/widget folder,
built from plugins/widget/ (one source: plugins/widget/build.py).
"""

from __future__ import annotations

import json

from flask import Response, render_template, request, url_for
from flask.views import MethodView

from hushbook_service.config import public_url
from hushbook_service.models import Tenant
from hushbook_service.resources.extensions import Blueprint

blp = Blueprint(
    "book_page",
    __name__,
    description="The standalone booking page of each business (HTML)",
)

TEXT = {
    "de": {
        "title": "Termin buchen",
        "noscript": "Für die Online-Buchung wird JavaScript benötigt.",
        "unknown": "Diese Buchungsseite gibt es nicht.",
        "about": "Termine bei {name} online buchen.",
        "address": "Adresse",
        "phone": "Telefon",
        "hours": "Öffnungszeiten",
        "imprint": "Impressum",
        "privacy": "Datenschutz",
    },
    "en": {
        "title": "Book an appointment",
        "noscript": "Online booking needs JavaScript.",
        "unknown": "There is no such booking page.",
        "about": "Book an appointment at {name} online.",
        "address": "Address",
        "phone": "Phone",
        "hours": "Opening hours",
        "imprint": "Imprint",
        "privacy": "Privacy policy",
    },
}
OG_LOCALES = {"de": "de_DE", "en": "en_GB"}
# The page runs only our own script and worker and talks only to this origin.
CSP = (
    "default-src 'none'; script-src 'self'; worker-src 'self'; connect-src 'self'; "
    "style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'"
)


def page_language(tenant: Tenant | None) -> str:
    wanted = request.args.get("lang")
    if wanted in TEXT:
        return wanted
    return request.accept_languages.best_match(list(TEXT)) or (
        tenant.locale if tenant is not None and tenant.locale in TEXT else "de"
    )


def widget_config(tenant: Tenant, lang: str) -> dict:
    base = f"{request.script_root}/v1/public"
    return {
        "endpoints": {
            "catalog": f"{base}/{tenant.slug}/catalog",
            "challenge": f"{base}/{tenant.slug}/challenge",
            "offers": f"{base}/{tenant.slug}/offers",
            "bookings": f"{base}/{tenant.slug}/bookings",
            "confirm": f"{base}/bookings/confirm",
        },
        "assets": url_for("static", filename="widget/"),
        "lang": lang,
        "theme": "auto",
        **({"accent": tenant.accent_colour} if tenant.accent_colour else {}),
    }


@blp.route("/book/<slug>")
class BookPage(MethodView):
    @blp.doc(security=[], responses={"200": {"description": "HTML page with the booking widget"}})
    def get(self, slug):
        """The standalone booking page of a business (HTML; ?lang=de|en)"""
        tenant = Tenant.get_or_none(Tenant.slug == slug)
        lang = page_language(tenant)
        text = TEXT[lang]
        if tenant is None:
            return _html(lang, text["unknown"], text["unknown"], status=404)
        config = json.dumps(widget_config(tenant, lang), separators=(",", ":"))
        return _html(lang, f"{tenant.name} – {text['title']}", tenant.name, config, tenant)


def _summary(tenant: Tenant, lang: str) -> str:
    """The page's meta description: the salon's own words (cut at a word), or one line."""
    about = " ".join(tenant.description.split())
    if not about:
        return TEXT[lang]["about"].format(name=tenant.name)
    if len(about) <= 160:
        return about
    return about[:159].rsplit(" ", 1)[0] + "…"


def _html(
    lang: str,
    title: str,
    heading: str,
    config: str | None = None,
    tenant: Tenant | None = None,
    status: int = 200,
) -> Response:
    """templates/book.html: the salon and the widget with ``config`` (JSON), or only
    ``heading``."""
    html = render_template(
        "book.html",
        lang=lang,
        title=title,
        heading=heading,
        config=config,
        noscript=TEXT[lang]["noscript"],
        text=TEXT[lang],
        salon=tenant,
        summary=_summary(tenant, lang) if tenant else None,
        url=f"{public_url()}/book/{tenant.slug}" if tenant else None,
        og_locale=OG_LOCALES[lang],
    )
    return Response(
        html,
        status,
        {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
        },
        content_type="text/html; charset=utf-8",
    )
