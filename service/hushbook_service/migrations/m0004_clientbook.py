"""Client figures, blind index, consents, privacy notices, delivery contacts."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import (
    Client,
    ClientIndex,
    Consent,
    DeliveryContact,
    PrivacyNotice,
    Tenant,
)


def up(db):
    add_missing_columns(
        db,
        Tenant,
        Tenant.profile_fields,
        Tenant.retention_months,
        Tenant.regular_after_visits,
        Tenant.vip_after_spent_cents,
    )
    add_missing_columns(
        db,
        Client,
        Client.first_visit,
        Client.last_visit,
        Client.visits,
        Client.no_shows,
        Client.total_spent_cents,
        Client.category,
        Client.birthday_month,
        Client.last_activity_at,
    )
    db.create_tables([ClientIndex, PrivacyNotice, Consent, DeliveryContact], safe=True)
