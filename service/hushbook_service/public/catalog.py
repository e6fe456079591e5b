"""The public catalog: built once per tenant version, kept in the process.

The catalog changes a few times a year but is read by every visitor, so each
process keeps the rendered answer of each tenant (bounded, least recently used
first out). The key is the tenant's id and its ``version``, which every write
to what the catalog shows bumps in the writer's own transaction
(``models.bump_tenant_version``). Every request reads the tenant row anyway
(the slug), so it sees the version its node's database has: a write through
one process or node is seen by all the others on their next request, and no
entry of one tenant can answer for another. The catalog holds no personal data
(services, shown names, notices, the public key): that is why it may be stored
by browsers and shared caches for a short while (:data:`CACHE_CONTROL`). It has
one form for every language (all notices, each with its locale).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from hushbook_service import stealth
from hushbook_service.models import PrivacyNotice, Tenant
from hushbook_service.public import readiness, visitors

# Short: a browser or CDN may reuse the catalog this long without asking.
CACHE_CONTROL = "public, max-age=60"
MAX_TENANTS = 1024  # entries per process: a few KB each

# The salon's public profile, as the catalog and the manage API show it.
PROFILE = (
    "currency",
    "description",
    "address",
    "phone",
    "opening_hours",
    "accent_colour",
    "imprint_url",
    "privacy_url",
)


@dataclass(frozen=True)
class Rendered:
    version: int
    born: object  # the tenant's created_at: an id SQLite hands out again is another tenant
    body: bytes
    etag: str  # strong: a digest of the body's bytes


class _Cache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[int, Rendered] = OrderedDict()

    def get(self, tenant: Tenant) -> Rendered | None:
        with self.lock:
            entry = self.entries.get(tenant.id)
            if entry is None or (entry.version, entry.born) != (tenant.version, tenant.created_at):
                return None
            self.entries.move_to_end(tenant.id)
            return entry

    def put(self, tenant_id: int, entry: Rendered) -> None:
        with self.lock:
            held = self.entries.get(tenant_id)
            if held is not None and held.born == entry.born and held.version > entry.version:
                return  # a slower request built an older version: keep the newer one
            self.entries[tenant_id] = entry
            self.entries.move_to_end(tenant_id)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def _cache() -> _Cache:
    # One per app (a test's app has its own database, with ids of its own).
    found = current_app.extensions.get("hushbook_catalog")
    if found is None:
        found = current_app.extensions.setdefault("hushbook_catalog", _Cache(MAX_TENANTS))
    return found


def build(tenant: Tenant) -> dict:
    """The catalog as data (what ``CatalogSchema`` dumps)."""
    out_services = []
    staff = {}
    # What readiness calls bookable (GET /v1/tenant/readiness): one rule for both.
    for service, team in readiness.bookable_services(tenant):
        item = {
            "id": service.id,
            "name": service.name,
            "description": service.description,
            "duration_min": service.duration_min,
            "price_cents": service.price_cents,
        }
        if tenant.show_staff_names:
            item["staff_ids"] = [s.id for s in team]
            staff.update({s.id: s.shown_name for s in team})
        out_services.append(item)
    latest: dict[str, PrivacyNotice] = {}
    for notice in (
        PrivacyNotice.select()
        .where(PrivacyNotice.tenant == tenant.id)
        .order_by(PrivacyNotice.version)
    ):
        latest[notice.locale] = notice
    catalog = {
        "tenant_id": tenant.id,
        "name": tenant.name,
        "slug": tenant.slug,
        "locale": tenant.locale,
        "timezone": tenant.timezone,
        **{key: getattr(tenant, key) for key in PROFILE},
        "stealth_mode": tenant.stealth_mode,
        "offer_count": stealth.settings_of(tenant)["offer_count"],
        "max_window_days": 14,
        "services": out_services,
        "privacy_notices": list(latest.values()),
        "profile_fields": tenant.profile_fields.split(),
        "public_key": tenant.public_key,
        "key_version": tenant.key_version,
    }
    if tenant.show_staff_names:
        catalog["staff"] = [{"id": k, "name": v} for k, v in sorted(staff.items())]
    return catalog


def rendered(slug: str, render: Callable[[dict], bytes]) -> Rendered:
    """The catalog of the tenant at ``slug`` as ``render`` turns :func:`build`
    into bytes, from this process's cache when the tenant's version is the one
    it was built at. A hit reads three columns of the tenant row, a miss all."""
    cache = _cache()
    head = (
        Tenant.select(Tenant.id, Tenant.version, Tenant.created_at)
        .where(Tenant.slug == slug)
        .first()
    )
    entry = cache.get(head) if head is not None else None
    if entry is None:
        tenant = visitors.tenant_by_slug(slug)  # the 404 for an unknown slug
        body = render(build(tenant))
        etag = hashlib.sha256(body).hexdigest()[:32]
        entry = Rendered(tenant.version, tenant.created_at, body, etag)
        cache.put(tenant.id, entry)
    return entry
