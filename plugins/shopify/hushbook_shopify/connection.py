"""Is this shop connected to its salon? The checks of the WordPress plugin's
Hushbook page, made from this server with the stored key:

1. ``GET /v1/public/{slug}/catalog`` without the key: the service answers at the
   URL, knows the slug; its name, stealth mode, and what a booking needs (a
   public key, a bookable service, a privacy notice);
2. ``GET /v1/auth/me`` with the key: accepted, an integration key (not a staff
   sign-in), of the same salon (``tenant_id`` as in the catalog), with the scope
   ``public:forward``.

Nothing is stored; every line is plain text in the merchant's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from hushbook_shopify import service_client
from hushbook_shopify.models import Shop
from hushbook_shopify.texts import t

SCOPE = "public:forward"
TIMEOUT = 5
LEVEL = {
    "connected": "success",
    "not_bookable": "warning",
    "key_unchecked": "warning",
    "incomplete": "warning",
}


@dataclass
class Report:
    state: str
    salon: str = ""
    lines: list[dict] = field(default_factory=list)  # {"ok": bool, "text": str}

    def as_json(self, lang: str, slug: str) -> dict:
        text_key = f"state_{self.state}_text"
        return {
            "state": self.state,
            "level": LEVEL.get(self.state, "error"),
            "title": t(lang, f"state_{self.state}"),
            "text": t(lang, text_key, salon=self.salon, slug=slug),
            "salon": self.salon,
            "lines": self.lines,
        }


def check(shop: Shop, key: str | None, lang: str, allow_private: bool) -> Report:
    def line(ok: bool, name: str, **values) -> dict:
        return {"ok": ok, "text": t(lang, name, **values)}

    missing = []
    if not shop.service_url:
        missing.append(line(False, "missing_url"))
    if not shop.tenant_slug:
        missing.append(line(False, "missing_slug"))
    if not key:
        missing.append(line(False, "missing_key"))
    if missing:
        return Report("incomplete", lines=missing)

    def get(path: str, with_key: bool) -> service_client.Answer:
        return service_client.call(
            shop.service_url,
            "GET",
            path,
            key=key if with_key else None,
            timeout=TIMEOUT,
            allow_private=allow_private,
        )

    try:
        catalog = get(f"/v1/public/{quote(shop.tenant_slug, safe='')}/catalog", False)
    except service_client.PrivateAddress:
        return Report("unreachable", lines=[line(False, "private_address")])
    except service_client.Unreachable as exc:
        return Report("unreachable", lines=[line(False, "unreachable_detail", reason=str(exc))])
    data = _json(catalog)
    if catalog.status == 404 and isinstance(data, dict):
        return Report(
            "not_found", lines=[line(False, "state_not_found_text", slug=shop.tenant_slug)]
        )
    if catalog.status != 200:
        return Report("unreachable", lines=[line(False, "http_status", status=catalog.status)])
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return Report("unreachable", lines=[line(False, "not_hushbook")])
    salon = data["name"]
    lines = [line(True, "ok_catalog", salon=salon)]
    lines.append(line(True, "stealth_on" if data.get("stealth_mode") else "stealth_off"))

    try:
        me = get("/v1/auth/me", True)
    except service_client.Unreachable as exc:
        lines.append(line(False, "unreachable_detail", reason=str(exc)))
        return Report("unreachable", salon, lines)
    who = _json(me)
    if me.status == 401:
        return Report("key_rejected", salon, [*lines, line(False, "key_wrong")])
    if (
        me.status != 200
        or not isinstance(who, dict)
        or not isinstance(who.get("permissions"), list)
    ):
        return Report("key_unchecked", salon, [*lines, line(False, "key_status", status=me.status)])
    if who.get("role") != "integration":
        return Report("key_role", salon, [*lines, line(False, "state_key_role_text")])
    if who.get("tenant_id") is None or who.get("tenant_id") != data.get("tenant_id"):
        return Report("key_rejected", salon, [*lines, line(False, "key_other_salon")])
    if SCOPE not in who["permissions"]:
        return Report("key_scope", salon, [*lines, line(False, "state_key_scope_text")])
    lines.append(line(True, "ok_key"))

    gaps = []
    if not data.get("public_key"):
        gaps.append(line(False, "gap_vault"))
    if not data.get("services"):
        gaps.append(line(False, "gap_services"))
    if not data.get("privacy_notices"):
        gaps.append(line(False, "gap_notices"))
    if gaps:
        return Report("not_bookable", salon, lines + gaps)
    return Report("connected", salon, [*lines, line(True, "ok_bookable")])


def _json(answer: service_client.Answer):
    try:
        return answer.json()
    except ValueError:
        return None
