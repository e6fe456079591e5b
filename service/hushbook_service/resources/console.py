"""/console/: the staff console, the salon's back office in the browser (HTML).

One page that loads the console's own script and stylesheet (built from
plugins/console/ by plugins/console/build.py into static/console/) and talks to
/v1 on this origin — no CORS, no third-party origin. The page holds no data and
no secret: the person signs in there, tokens and vault keys live only in the
page's memory, and client profiles are opened in the browser (docs/console.md).
"""

from __future__ import annotations

import json

from flask import Response, render_template, request, url_for
from flask.views import MethodView

from hushbook_service.resources.extensions import Blueprint

blp = Blueprint(
    "console",
    __name__,
    description="The staff console (HTML): the salon's back office in the browser",
)

TEXT = {
    "de": {
        "title": "Hushbook – Terminbuch",
        "noscript": "Die Konsole braucht JavaScript.",
    },
    "en": {
        "title": "Hushbook – staff console",
        "noscript": "The console needs JavaScript.",
    },
}
# Only our own script, stylesheet, language files and icon; only /v1 on this origin;
# never framed (clickjacking); forms post nowhere else.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def console_language() -> str:
    wanted = request.args.get("lang")
    if wanted in TEXT:
        return wanted
    return request.accept_languages.best_match(list(TEXT)) or "de"


@blp.route("/console/")
class ConsolePage(MethodView):
    @blp.doc(
        security=[],
        parameters=[
            {
                "in": "query",
                "name": "lang",
                "schema": {"type": "string", "enum": sorted(TEXT)},
                "description": "Language of the console (default: the browser's, else de)",
            },
            {
                "in": "query",
                "name": "lock",
                "schema": {"type": "integer", "minimum": 1, "maximum": 240},
                "description": "Minutes without activity before the screen locks (default 15)",
            },
        ],
        responses={"200": {"description": "HTML page of the staff console"}},
    )
    def get(self):
        """The staff console (HTML; ?lang=de|en, ?lock=<minutes>)"""
        lang = console_language()
        config = {
            "api": f"{request.script_root}/v1",
            "assets": url_for("static", filename="console/"),
            "lang": lang,
        }
        html = render_template(
            "console.html",
            lang=lang,
            title=TEXT[lang]["title"],
            noscript=TEXT[lang]["noscript"],
            config=json.dumps(config, separators=(",", ":")),
        )
        return Response(html, 200, HEADERS, content_type="text/html; charset=utf-8")
