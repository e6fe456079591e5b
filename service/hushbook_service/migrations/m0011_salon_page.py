"""The salon's public profile (address, phone, hours, links, accent colour),
its currency and online-change deadline, and short links in messages."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import ShortLink, Tenant


def up(db):
    add_missing_columns(
        db,
        Tenant,
        Tenant.address,
        Tenant.phone,
        Tenant.opening_hours,
        Tenant.description,
        Tenant.accent_colour,
        Tenant.imprint_url,
        Tenant.privacy_url,
        Tenant.currency,
        Tenant.manage_deadline_hours,
    )
    db.create_tables([ShortLink], safe=True)
