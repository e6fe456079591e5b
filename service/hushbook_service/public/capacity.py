"""A salon's bookable working time per local date: what the stealth budgets
measure their shares against: the showcase's disclosure budget
(:mod:`~hushbook_service.public.asks`) and the pending and new-contact shares of
:mod:`~hushbook_service.public.bookings`, in one place."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hushbook_service.models import Service, ServiceStaff, Staff, Tenant
from hushbook_service.scheduling import booking, slots


def bookable_minutes(tenant: Tenant, first_day: date, last_day: date) -> dict[date, float]:
    """Each local date's working time of everyone who can be booked online (shifts
    or that date's hours, minus breaks, time off and closures), in minutes: the
    dates ``first_day .. last_day`` in three queries."""
    return bookable(tenant, first_day, last_day)[0]


def bookable(
    tenant: Tenant, first_day: date, last_day: date
) -> tuple[dict[date, float], dict[int, slots.StaffSchedule]]:
    """:func:`bookable_minutes`, and the working time it counts by team member
    (``booking.load_schedules`` for those dates, without busy times)."""
    tz = ZoneInfo(tenant.timezone)
    first, last = slots.day_start(first_day, tz), slots.day_start(last_day + timedelta(days=1), tz)
    # who readiness.bookable_services would list under any service, in one query
    team = (
        Staff.select(Staff.id)
        .join(ServiceStaff, on=(ServiceStaff.staff == Staff.id))
        .join(Service, on=(ServiceStaff.service == Service.id))
        .where(
            Staff.tenant == tenant.id,
            Staff.active == True,
            Staff.bookable == True,
            Service.tenant == tenant.id,
            Service.active == True,
        )
        .distinct()
        .order_by(Staff.id)
    )
    closed = booking.closed_times(tenant, first, last)
    out = {first_day + timedelta(days=n): 0.0 for n in range((last_day - first_day).days + 1)}
    schedules = booking.load_schedules(
        tenant.id, [s.id for s in team], first, last, False, closed=closed
    )
    for schedule in schedules:
        for day in out:
            lo, hi = slots.day_start(day, tz), slots.day_start(day + timedelta(days=1), tz)
            for iv in slots.working_intervals(schedule, tz, day, day):
                out[day] += max(0.0, (min(iv.end, hi) - max(iv.start, lo)).total_seconds() / 60)
    return out, {schedule.staff_id: schedule for schedule in schedules}
