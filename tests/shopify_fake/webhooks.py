"""The fake Shopify's webhook sender: a JSON ``POST`` with the headers Shopify
sends (``X-Shopify-Topic``, ``-Hmac-Sha256``, ``-Shop-Domain``,
``-API-Version``, ``-Webhook-Id``, ``-Event-Id``, ``-Triggered-At``) and the
HMAC of the raw body (``signing.webhook_hmac``, checked against the published
vectors). Non-2xx answers are retried a bounded number of times, as Shopify
retries (8 times over 4 hours there; ``retries`` here).

``post`` is any callable ``(path, body_bytes, headers) -> (status, text)``: a
Flask test client (:func:`via_test_client`) or a real server (:func:`via_http`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import signing

Post = Callable[[str, bytes, dict[str, str]], tuple[int, str]]


def via_test_client(client) -> Post:
    def post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = client.post(path, data=body, headers=headers)
        return response.status_code, response.get_data(as_text=True)

    return post


def via_http(base_url: str, verify: str | bool = True) -> Post:
    import requests

    def post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = requests.post(
            base_url + path, data=body, headers=headers, timeout=10, verify=verify
        )
        return response.status_code, response.text

    return post


@dataclass
class Delivery:
    topic: str
    shop: str
    body: bytes
    headers: dict[str, str]
    status: int = 0
    text: str = ""
    attempts: int = 0


@dataclass
class WebhookSender:
    post: Post
    secret: str
    path: str = "/webhooks"
    api_version: str = "2026-10"
    retries: int = 0
    sent: list[Delivery] = field(default_factory=list)

    def _deliver(self, delivery: Delivery) -> Delivery:
        for _ in range(1 + self.retries):
            delivery.attempts += 1
            delivery.status, delivery.text = self.post(self.path, delivery.body, delivery.headers)
            if 200 <= delivery.status < 300:
                break
        self.sent.append(delivery)
        return delivery

    def send(
        self,
        topic: str,
        payload: dict | bytes,
        shop: str,
        *,
        webhook_id: str | None = None,
        event_id: str | None = None,
        secret: str | None = None,
        hmac_value: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Delivery:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": hmac_value
            if hmac_value is not None
            else signing.webhook_hmac(body, secret or self.secret),
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        }
        headers.update(extra_headers or {})
        return self._deliver(Delivery(topic, shop, body, headers))

    def redeliver(self, delivery: Delivery) -> Delivery:
        """The same delivery again (same body, same Webhook-Id), as a Shopify retry."""
        return self._deliver(
            Delivery(delivery.topic, delivery.shop, delivery.body, dict(delivery.headers))
        )

    def bad_hmac(self, topic: str, payload: dict, shop: str) -> Delivery:
        return self.send(topic, payload, shop, secret="not-the-client-secret-" + "x" * 16)

    # Shopify's payloads for the topics this app subscribes to.
    @staticmethod
    def payload(topic: str, shop: str, shop_id: int = 954889) -> dict:
        if topic == "app/uninstalled":
            return {"id": shop_id, "name": "Test shop", "domain": shop, "myshopify_domain": shop}
        if topic == "app/scopes_update":
            return {
                "id": shop_id,
                "previous": [],
                "current": ["write_app_proxy"],
                "updated_at": datetime.now(UTC).isoformat(),
            }
        if topic == "shop/redact":
            return {"shop_id": shop_id, "shop_domain": shop}
        customer = {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"}
        if topic == "customers/data_request":
            return {
                "shop_id": shop_id,
                "shop_domain": shop,
                "orders_requested": [299938, 280263, 220458],
                "customer": customer,
                "data_request": {"id": 9999},
            }
        if topic == "customers/redact":
            return {
                "shop_id": shop_id,
                "shop_domain": shop,
                "customer": customer,
                "orders_to_redact": [299938, 280263, 220458],
            }
        return {"shop_domain": shop}
