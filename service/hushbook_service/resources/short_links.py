"""/m/{code}: the short links in messages (:mod:`hushbook_service.messaging.links`).

A short code stands for a confirmation or manage link; opening it redirects to
that page with a fresh token. Unknown and expired codes get one page; tries are
metered per address and network (guessing 40-bit codes costs a lot of waiting).
"""

from __future__ import annotations

from flask import redirect, request
from flask.views import MethodView

from hushbook_service import stealth
from hushbook_service.errors import DomainError
from hushbook_service.messaging import links
from hushbook_service.public import metering
from hushbook_service.resources.extensions import Blueprint
from hushbook_service.resources.pages import link_page

blp = Blueprint("short_links", __name__, description="Short links in messages (HTML)")

# Tries per hour (buckets refill over an hour): a customer opens a link a few
# times; a guesser of codes runs dry at once. Not per salon: a code names none.
PER_ADDRESS = 20
PER_NETWORK = 60
HOUR = 3600


def _meter() -> None:
    keys = dict(stealth.network_keys(request.remote_addr or "unknown"))
    metering.take(
        0,
        [
            metering.Bucket("short_link_ip", keys["ip"], PER_ADDRESS, HOUR),
            metering.Bucket("short_link_subnet", keys["subnet"], PER_NETWORK, HOUR),
        ],
    )


@blp.route("/m/<code>")
class ShortLink(MethodView):
    @blp.doc(
        security=[],
        responses={
            "303": {"description": "To the confirmation or manage page (a fresh token)"},
            "404": {"description": "Unknown or expired code (HTML)"},
            "429": {"description": "Too many tries from this address (HTML, Retry-After)"},
        },
    )
    def get(self, code):
        """Open a short link from a message (changes nothing; metered per address)"""
        try:
            _meter()
        except DomainError as exc:
            if exc.code != 429:
                raise
            wait = (exc.headers or {}).get("Retry-After", "60")
            return link_page("busy", 429, {"Retry-After": wait})
        target = links.resolve(code)
        if target is None:
            return link_page("gone", 404)
        lang = request.args.get("lang")
        if lang in ("de", "en"):
            target += f"?lang={lang}"
        response = redirect(f"{request.script_root}{target}", 303)
        response.headers.update({"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
        return response
