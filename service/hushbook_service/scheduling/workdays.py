"""The working day as the staff console shades it: hours and who is away.

No rules of its own: the hours are the slot engine's (weekly shifts, a date's
exception, breaks: :func:`slots.working_intervals`), time off and closures
are read where the booking path reads them (:mod:`hushbook_service.scheduling.booking`).
Everything comes back as local wall times (``"HH:MM"``) of the tenant's zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hushbook_service.models import Staff, Tenant
from hushbook_service.scheduling import booking, slots


def _wall(instant: datetime, day_end: datetime, tz: ZoneInfo) -> str:
    """Local wall time of ``instant`` on its day; the day's end is ``"24:00"``."""
    if instant >= day_end:
        return "24:00"
    return instant.astimezone(tz).strftime("%H:%M")


def _clip(start: datetime, end: datetime, day: tuple[datetime, datetime], tz: ZoneInfo):
    """``[start, end)`` within one local day as wall times, or None when apart."""
    day_start, day_end = day
    start, end = max(start, day_start), min(end, day_end)
    if start >= end:
        return None
    return {"start": _wall(start, day_end, tz), "end": _wall(end, day_end, tz)}


def working_days(tenant: Tenant, team: list[Staff], first_day: date, last_day: date) -> list[dict]:
    """One row per local date and team member (dates first, then ``team``'s order):

    ``hours``: the planned working time (the weekly shifts, or that date's
    exception, minus breaks) before time off; ``away``: the member's time off
    (``kind: "time_off"``, never why) and the salon's closures (``kind:
    "closure"`` with its label), each clipped to the day.
    """
    tz = ZoneInfo(tenant.timezone)
    count = (last_day - first_day).days + 1
    dates = [first_day + timedelta(days=i) for i in range(count)]
    edges = [slots.day_start(d, tz) for d in [*dates, last_day + timedelta(days=1)]]
    days = list(zip(edges, edges[1:], strict=False))
    start, end = edges[0], edges[-1]
    closures = [
        (booking.closure_interval(c, tz), c.label)
        for c in booking.closures_between(tenant.id, first_day, last_day)
    ]
    by_member = {}
    for member in team:
        schedule = booking.load_schedule(member, start, end, busy=False, closed=[])
        hours = slots.working_intervals(schedule, tz, first_day, last_day, time_off=False)
        away: list[tuple[datetime, datetime, str, str | None]] = [
            (row.start_at, row.end_at, "time_off", None)
            for row in booking.time_off_between(member, start, end)
        ]
        away += [(iv.start, iv.end, "closure", label) for iv, label in closures]
        away.sort(key=lambda a: (a[0], a[1], a[2]))
        by_member[member.id] = (hours, away)
    rows = []
    for d, span in zip(dates, days, strict=True):
        for member in team:
            hours, away = by_member[member.id]
            shown_hours = [r for r in (_clip(iv.start, iv.end, span, tz) for iv in hours) if r]
            shown_away = []
            for s, e, kind, label in away:
                clipped = _clip(s, e, span, tz)
                if clipped:
                    shown_away.append({**clipped, "kind": kind, "label": label})
            rows.append(
                {"staff_id": member.id, "date": d, "hours": shown_hours, "away": shown_away}
            )
    return rows
