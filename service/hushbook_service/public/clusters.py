"""Suspicious clusters of online bookings, for the salon to see and release.

A cluster: the upcoming online bookings of new contacts (unconfirmed, or
confirmed and not yet kept) made from one network (IPv4 /24, IPv6 /64), at
least :data:`CLUSTER_MIN` of them. A walk of the calendar with holds, or a
mailbox buying holds, shows up here; the salon releases it (every booking in
it cancelled, the time free again) from the console. Only a keyed hash names
the network: no address is stored, and a cluster's id means nothing outside
this salon.
"""

from __future__ import annotations

from datetime import datetime

from hushbook_service import audit
from hushbook_service.db import utcnow, write_transaction
from hushbook_service.models import Appointment, PendingHold, Tenant
from hushbook_service.public import bookings, probes
from hushbook_service.scheduling import booking

CLUSTER_MIN = 3


def _networks(tenant: Tenant, now: datetime) -> dict[str, list[PendingHold]]:
    """The subnet holds of each cluster (with their appointments), by cluster id."""
    holds = (
        PendingHold.select(PendingHold, Appointment)
        .join(Appointment)
        .where(
            PendingHold.tenant == tenant.id,
            PendingHold.kind == "subnet",
            Appointment.source == "online",
            Appointment.new_contact == True,
            bookings.holding(now),
        )
        .order_by(Appointment.start_at, Appointment.id)
    )
    groups: dict[str, list[PendingHold]] = {}
    for hold in holds:
        groups.setdefault(hold.digest[:16], []).append(hold)
    return {k: v for k, v in groups.items() if len(v) >= CLUSTER_MIN}


def _members(tenant: Tenant, now: datetime) -> dict[str, list[Appointment]]:
    return {k: [h.appointment for h in v] for k, v in _networks(tenant, now).items()}


def clusters(tenant: Tenant) -> list[dict]:
    """The salon's suspicious clusters now, largest first, each with the probes
    its network made (why its bookings may be refused: a number, no address)."""
    networks = _networks(tenant, utcnow())
    digests = {key: holds[0].digest for key, holds in networks.items()}
    probed = probes.counts(tenant.id, [("subnet", d) for d in digests.values()])
    found = []
    for key, holds in networks.items():
        rows = [h.appointment for h in holds]
        found.append(
            {
                "id": key,
                "bookings": len(rows),
                "confirmed": sum(1 for a in rows if a.status == "confirmed"),
                "probes": probed.get(("subnet", digests[key]), 0),
                "appointment_ids": [a.id for a in rows],
                "first_start": rows[0].start_at,
                "last_start": rows[-1].start_at,
            }
        )
    return sorted(found, key=lambda c: (-c["bookings"], c["first_start"]))


def release(tenant: Tenant, cluster_id: str) -> int:
    """Cancel every booking of a cluster (the time is free again); audited. A
    cluster released already, or no longer there, releases nothing (0)."""
    rows = _members(tenant, utcnow()).get(cluster_id)
    if not rows:
        return 0
    with write_transaction():
        for appointment in rows:
            booking.transition(appointment, "cancel")
            PendingHold.delete().where(PendingHold.appointment == appointment.id).execute()
        audit.record(tenant.id, "stealth.cluster_released", bookings=len(rows))
    return len(rows)
