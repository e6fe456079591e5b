"""Creating a business (tenant) with its first owner."""

from __future__ import annotations

import re
import zoneinfo

from hushbook_service.accounts import passwords
from hushbook_service.db import database
from hushbook_service.models import Staff, Tenant

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")


class TenantError(ValueError):
    pass


def create_tenant(
    slug: str,
    name: str,
    owner_email: str,
    *,
    owner_name: str = "Owner",
    timezone: str = "Europe/Berlin",
    locale: str = "de",
    scrypt_log_n: int = 15,
) -> tuple[Tenant, Staff, str]:
    """Create the tenant and its owner; return the owner's one-time password."""
    slug = slug.lower()
    if not SLUG.match(slug):
        raise TenantError("slug: 3-63 characters, lowercase letters, digits and dashes")
    if timezone not in zoneinfo.available_timezones():
        raise TenantError("timezone: unknown IANA time zone")
    if "@" not in owner_email or len(owner_email) > 254:
        raise TenantError("owner e-mail: not an e-mail address")
    if Tenant.select().where(Tenant.slug == slug).exists():
        raise TenantError(f"slug: {slug!r} is taken")
    secret = passwords.one_time_password()
    with database.atomic():
        tenant = Tenant.create(slug=slug, name=name, timezone=timezone, locale=locale)
        owner = Staff.create(
            tenant=tenant,
            email=owner_email.lower(),
            display_name=owner_name,
            role="owner",
            bookable=False,
            password_hash=passwords.hash_password(secret, scrypt_log_n),
            must_change_password=True,
        )
    return tenant, owner, secret
