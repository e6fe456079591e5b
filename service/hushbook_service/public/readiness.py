"""Can customers book online? The one rule, for the catalog and the salon's checklist.

The booking widget says "not available" when the catalog has no service, no
``public_key`` or no privacy notice. The catalog offers exactly
:func:`bookable_services`, and :func:`readiness` names each of those causes
(plus working hours, without which no offer is ever made), so the two never
disagree about what is bookable.
"""

from __future__ import annotations

from datetime import timedelta

from hushbook_service.db import utcnow
from hushbook_service.models import (
    PrivacyNotice,
    ScheduleException,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
    WorkingHours,
)
from hushbook_service.public.asks import team_for

# In this order; "stealth" is a recommendation, the others must all pass.
CHECKS = ("vault", "service", "bookable_person", "hours", "privacy_notice", "stealth")
NOT_BLOCKING = frozenset({"stealth"})


def bookable_services(tenant: Tenant) -> list[tuple[Service, list[Staff]]]:
    """Active services with somebody to book them with (active, bookable, assigned)."""
    services = (
        Service.select()
        .where(Service.tenant == tenant.id, Service.active == True)
        .order_by(Service.name, Service.id)
    )
    offered = ((service, team_for(service)) for service in services)
    return [(service, team) for service, team in offered if team]


def _performed_by_someone(tenant: Tenant) -> bool:
    """An active service that an active team member is assigned to (bookable or not)."""
    return (
        ServiceStaff.select()
        .join(Service, on=ServiceStaff.service == Service.id)
        .switch(ServiceStaff)
        .join(Staff, on=ServiceStaff.staff == Staff.id)
        .where(
            ServiceStaff.tenant == tenant.id,
            Service.tenant == tenant.id,
            Service.active == True,
            Staff.active == True,
        )
        .exists()
    )


def _has_hours(tenant: Tenant, people: set[int]) -> bool:
    """Any of ``people`` has a weekly shift, or one-off hours from yesterday on."""
    if not people:
        return False
    weekly = WorkingHours.select().where(
        WorkingHours.tenant == tenant.id,
        WorkingHours.staff.in_(sorted(people)),
        WorkingHours.kind == "shift",
    )
    one_off = ScheduleException.select().where(
        ScheduleException.tenant == tenant.id,
        ScheduleException.staff.in_(sorted(people)),
        ScheduleException.start.is_null(False),
        ScheduleException.date >= (utcnow() - timedelta(days=1)).date(),
    )
    return weekly.exists() or one_off.exists()


def readiness(tenant: Tenant) -> dict:
    """``{"bookable_online": bool, "checks": [{"id", "ok", "blocking"}]}``:
    what is still missing before customers can book online."""
    offered = bookable_services(tenant)
    people = {member.id for _, team in offered for member in team}
    ok = {
        "vault": bool(tenant.public_key),
        "service": bool(offered) or _performed_by_someone(tenant),
        "bookable_person": bool(offered),
        "hours": _has_hours(tenant, people),
        "privacy_notice": PrivacyNotice.select().where(PrivacyNotice.tenant == tenant.id).exists(),
        "stealth": bool(tenant.stealth_mode),
    }
    checks = [{"id": c, "ok": ok[c], "blocking": c not in NOT_BLOCKING} for c in CHECKS]
    return {
        "bookable_online": all(c["ok"] for c in checks if c["blocking"]),
        "checks": checks,
    }
