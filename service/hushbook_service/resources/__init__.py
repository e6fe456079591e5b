"""HTTP resources: thin routes over the domain modules."""

from . import appointments, auth, availability, clients, integration_keys, services, staff, tenant

BLUEPRINTS = [
    auth.blp,
    tenant.blp,
    staff.blp,
    services.blp,
    appointments.blp,
    availability.blp,
    clients.blp,
    integration_keys.blp,
]


def register_blueprints(api):
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
