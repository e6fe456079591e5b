"""The app's own database (peewee): one row per shop, one per webhook delivery.

SQLite by default, PostgreSQL by URL (``HUSHBOOK_SHOPIFY_DATABASE_URL``). No
customer data is stored anywhere: a shop's row holds its connection settings
and its secrets sealed by :mod:`hushbook_shopify.secretbox`; a webhook receipt
holds ids, the topic and the shop, never the payload.
"""

from __future__ import annotations

from datetime import UTC, datetime

import peewee
from playhouse.db_url import connect

from hushbook_shopify import secretbox

database = peewee.DatabaseProxy()
SCHEMA_VERSION = 1


def utcnow() -> datetime:
    """Naive UTC, as stored."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class BaseModel(peewee.Model):
    class Meta:
        database = database


class Shop(BaseModel):
    shop_domain = peewee.CharField(max_length=255, primary_key=True)
    installed_at = peewee.DateTimeField(default=utcnow)
    uninstalled_at = peewee.DateTimeField(null=True)
    access_token_enc = peewee.TextField(null=True)
    access_token_expires = peewee.DateTimeField(null=True)
    refresh_token_enc = peewee.TextField(null=True)
    refresh_token_expires = peewee.DateTimeField(null=True)
    scopes = peewee.CharField(max_length=1000, default="")
    service_url = peewee.CharField(max_length=500, default="")
    tenant_slug = peewee.CharField(max_length=63, default="")
    integration_key_enc = peewee.TextField(null=True)
    key_saved_at = peewee.DateTimeField(null=True)
    language = peewee.CharField(max_length=4, default="auto")
    theme = peewee.CharField(max_length=5, default="auto")
    accent = peewee.CharField(max_length=7, default="#1f5f8b")
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "shopify_shop"

    # --- sealed fields ------------------------------------------------------------
    def secret(self, keys: tuple[bytes, ...], field: str) -> str | None:
        stored = getattr(self, f"{field}_enc")
        return None if stored is None else secretbox.open_(keys, self.shop_domain, field, stored)

    def sealed(self, keys: tuple[bytes, ...], field: str, value: str | None) -> str | None:
        """The stored form of ``value`` for this shop's ``field`` (None stays None)."""
        return None if value is None else secretbox.seal(keys, self.shop_domain, field, value)

    @property
    def installed(self) -> bool:
        return self.uninstalled_at is None

    @property
    def configured(self) -> bool:
        return bool(self.service_url and self.tenant_slug and self.integration_key_enc)


class WebhookReceipt(BaseModel):
    """A delivery seen (deduplication by ``X-Shopify-Webhook-Id``); pruned after 7 days."""

    webhook_id = peewee.CharField(max_length=255, primary_key=True)
    event_id = peewee.CharField(max_length=255, default="")
    topic = peewee.CharField(max_length=100)
    shop_domain = peewee.CharField(max_length=255)
    received_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "shopify_webhook_receipt"


class SchemaVersion(BaseModel):
    version = peewee.IntegerField()

    class Meta:
        table_name = "shopify_schema_version"


MODELS = (Shop, WebhookReceipt, SchemaVersion)


def open_database(url: str) -> peewee.Database:
    """Create the database object for ``url`` and point the models at it."""
    if url.startswith("sqlite"):
        db = connect(
            url,
            pragmas=(("journal_mode", "wal"), ("busy_timeout", 15000), ("synchronous", "normal")),
            timeout=15,
        )
    else:
        db = connect(url)
    database.initialize(db)
    return db


def migrate() -> int:
    """Create the tables (idempotent); returns the schema version now in place."""
    with database.atomic():
        database.create_tables(MODELS, safe=True)
        row = SchemaVersion.select().first()
        if row is None:
            SchemaVersion.create(version=SCHEMA_VERSION)
            return SCHEMA_VERSION
        return row.version


def transaction():
    """A write transaction; ``BEGIN IMMEDIATE`` on SQLite so writers queue up front."""
    if isinstance(database.obj, peewee.SqliteDatabase) and not database.in_transaction():
        return database.atomic("IMMEDIATE")
    return database.atomic()
