"""HTTP resources: thin routes over the domain modules."""

from hushbook_service.resources import (
    appointments,
    audit,
    auth,
    availability,
    blocked_contacts,
    book_page,
    clients,
    console,
    delivery_keys,
    integration_keys,
    messages,
    operations,
    public,
    schedule,
    services,
    short_links,
    staff,
    stealth,
    tenant,
    vault,
)

BLUEPRINTS = [
    auth.blp,
    tenant.blp,
    staff.blp,
    services.blp,
    appointments.blp,
    availability.blp,
    schedule.blp,
    clients.blp,
    integration_keys.blp,
    audit.blp,
    vault.blp,
    delivery_keys.blp,
    blocked_contacts.blp,
    public.blp,
    messages.blp,
    book_page.blp,
    short_links.blp,
    console.blp,
    operations.blp,
    stealth.blp,
]


def register_blueprints(api):
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
