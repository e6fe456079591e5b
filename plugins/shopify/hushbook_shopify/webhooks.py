"""``POST /webhooks``: Shopify's deliveries, checked and handled at once.

1. The HMAC over the raw body bytes (before any JSON parsing): a missing header
   is 400, a wrong one 401 (Shopify requires 401 for the compliance topics).
2. ``X-Shopify-Topic`` must be one this app subscribes to (else 400), the
   ``X-Shopify-Webhook-Id`` present (else 400), the payload's shop, where it
   names one, the shop of the header (else 400).
3. A delivery whose webhook id was seen is answered 200 and not handled again.
4. The topic's work and the receipt are written in one transaction:
   - ``app/uninstalled``: the Shopify tokens are wiped, the shop marked
     uninstalled (its connection settings stay until ``shop/redact``);
   - ``app/scopes_update``: the granted scopes are stored;
   - ``shop/redact``: the shop's row goes, with its integration key;
   - ``customers/data_request``, ``customers/redact``: nothing to do — the app
     holds no customer data (a test proves it) — 200.

No payload is stored or logged: receipts keep the ids, the topic and the shop.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import peewee
from flask import Blueprint, Response, current_app, request

from hushbook_shopify import tokens
from hushbook_shopify.models import Shop, WebhookReceipt, transaction, utcnow

log = logging.getLogger("hushbook_shopify.webhooks")
bp = Blueprint("webhooks", __name__)

TOPICS = (
    "app/uninstalled",
    "app/scopes_update",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
)
KEEP_RECEIPTS = timedelta(days=7)
ID_RE = re.compile(r"^[A-Za-z0-9._:/-]{1,255}$")


def _answer(status: int, code: str) -> Response:
    return Response(json.dumps({"code": code}), status=status, mimetype="application/json")


def _header(*names: str) -> str:
    for name in names:
        value = request.headers.get(name)
        if value:
            return value.strip()
    return ""


@bp.route("/webhooks", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def receive() -> Response:
    app = current_app.extensions["hushbook_shopify"]
    raw = request.get_data(cache=True)  # the raw bytes, before any JSON access
    verdict = app.auth.verify_webhook(request.method, dict(request.headers), raw)
    if not verdict.ok:
        log.info("webhook refused (%s)", verdict.code)
        return _answer(verdict.status, verdict.code)
    topic = _header("X-Shopify-Topic", "Shopify-Topic")
    webhook_id = _header("X-Shopify-Webhook-Id", "Shopify-Webhook-Id")
    event_id = _header("X-Shopify-Event-Id", "Shopify-Event-Id")
    if topic not in TOPICS:
        log.info("webhook refused (unknown topic)")
        return _answer(400, "unknown_topic")
    if not ID_RE.match(webhook_id) or (event_id and not ID_RE.match(event_id)):
        return _answer(400, "missing_webhook_id")
    try:
        payload = json.loads(raw)
    except ValueError:
        return _answer(400, "not_json")
    if not isinstance(payload, dict):
        return _answer(400, "not_json")
    named = payload.get("shop_domain") or payload.get("myshopify_domain")
    if named is not None and str(named).lower() != verdict.shop:
        log.info("webhook refused (payload names another shop)")
        return _answer(400, "shop_mismatch")

    shop = verdict.shop
    try:
        return _handle(topic, webhook_id, event_id, shop, payload)
    except peewee.IntegrityError:  # the same delivery, handled in parallel just now
        log.info("webhook %s for %s: duplicate delivery, skipped", topic, shop)
        return _answer(200, "duplicate")


def _handle(topic: str, webhook_id: str, event_id: str, shop: str, payload: dict) -> Response:
    with transaction():
        if WebhookReceipt.get_or_none(WebhookReceipt.webhook_id == webhook_id) is not None:
            log.info("webhook %s for %s: duplicate delivery, skipped", topic, shop)
            return _answer(200, "duplicate")
        if event_id and WebhookReceipt.select().where(WebhookReceipt.event_id == event_id).exists():
            log.info("webhook %s for %s: another delivery of a seen event", topic, shop)
        WebhookReceipt.create(
            webhook_id=webhook_id, event_id=event_id, topic=topic, shop_domain=shop
        )
        if topic == "app/uninstalled":
            tokens.wipe(shop)
        elif topic == "app/scopes_update":
            current = payload.get("current")
            if isinstance(current, list) and all(isinstance(s, str) for s in current):
                Shop.update(scopes=",".join(current)[:1000], updated_at=utcnow()).where(
                    Shop.shop_domain == shop
                ).execute()
        elif topic == "shop/redact":
            Shop.delete().where(Shop.shop_domain == shop).execute()
        WebhookReceipt.delete().where(
            WebhookReceipt.received_at < utcnow() - KEEP_RECEIPTS
        ).execute()
    log.info("webhook %s for %s: handled", topic, shop)
    return _answer(200, "ok")
