"""Who is owed which message: the one rule, asked when a message is armed and
again when it is sent (:mod:`hushbook_service.messaging.ledger`), and by the
calendar file (an alarm only where a reminder would go).

Every kind names its audience and the consent purpose it needs:

- ``customer``: on the customer's one channel (the first of their delivery
  contact, preferred first, that the salon has switched on and that has not
  failed for good for this appointment: the other is only a fallback);
- ``member``: the appointment's team member (channel ``staff``);
- ``team``: each person who wants booking e-mails (``Staff.notify_bookings``):
  their own appointments, or all of them for owner, manager and reception.

The purpose is what the customer must have agreed to — their latest consent,
:func:`hushbook_service.privacy.clientbook.current_purposes`; None: the message
is part of the booking itself, owed to whoever gave a contact for it. A kind
without a rule here cannot be armed or sent (``KeyError``), so a new kind must
say both.
"""

from __future__ import annotations

from flask import g, has_request_context

from hushbook_service.db import prepared_rows
from hushbook_service.models import Appointment, Message, Staff, Tenant
from hushbook_service.privacy import clientbook, delivery

RULES: dict[str, tuple[str, str | None]] = {
    "confirm_request": ("customer", None),
    "confirmed": ("customer", None),
    "reminder_1": ("customer", "reminders"),
    "reminder_2": ("customer", "reminders"),
    "reminder_3": ("customer", "reminders"),
    "rescheduled": ("customer", None),
    "cancelled": ("customer", None),
    "mark_outcome": ("member", None),
    "team_booked": ("team", None),
    "team_confirmed": ("team", None),
    "team_cancelled": ("team", None),
    "team_rescheduled": ("team", None),
}
TEAM_SEES_ALL = ("owner", "manager", "reception")


def audience(kind: str) -> str:
    return RULES[kind][0]


def refusal(appointment: Appointment, kind: str, recipient: int = 0) -> str | None:
    """Why ``kind`` may not go to ``recipient`` now (a reason code), or None.

    A consent withdrawn or a switch turned off between arming and sending stops
    the message, whichever path changed them."""
    who, purpose = RULES[kind]
    if who == "customer":
        if purpose is not None and purpose not in clientbook.current_purposes(
            appointment.client_id
        ):
            return "no_consent"
    elif who == "team":
        staff = Staff.get_or_none(Staff.id == recipient, Staff.tenant == appointment.tenant_id)
        if (
            staff is None
            or not staff.active
            or not staff.notify_bookings
            or (staff.role not in TEAM_SEES_ALL and staff.id != appointment.staff_id)
        ):
            return "not_wanted"
    return None


def _acting_staff_id() -> int | None:
    """The team member whose request this is (they need no e-mail about it)."""
    if not has_request_context():
        return None
    return getattr(g.get("principal"), "staff_id", None)


def _team_ids(appointment: Appointment) -> list[int]:
    """Everyone ``refusal`` lets a ``team`` kind go to (the same conditions, one query)."""
    rows = prepared_rows(
        "rules.team",
        lambda: (
            Staff.select(Staff.id)
            .where(
                Staff.tenant == appointment.tenant_id,
                Staff.active == True,
                Staff.notify_bookings == True,
                Staff.role.in_(TEAM_SEES_ALL) | (Staff.id == appointment.staff_id),
            )
            .order_by(Staff.id)
        ),
        [appointment.tenant_id, True, True, *TEAM_SEES_ALL, appointment.staff_id],
    )
    return [staff_id for (staff_id,) in rows]


def enabled_channels(tenant_id: int) -> set[str]:
    """The salon's switched-on channels (only that column: no whole tenant per message)."""
    rows = prepared_rows(
        "rules.channels",
        lambda: Tenant.select(Tenant.message_channels).where(Tenant.id == tenant_id),
        [tenant_id],
    )
    if not rows:
        raise Tenant.DoesNotExist  # type: ignore[attr-defined]  # as get_by_id did
    return set(rows[0][0].split())


def failed_channels(appointment: Appointment) -> set[str]:
    """The customer's channels that failed for good for this appointment."""
    rows = Message.select(Message.channel).where(
        Message.appointment == appointment.id,
        Message.state == "failed",
        Message.channel != "staff",
    )
    return {row.channel for row in rows}


def owed(
    appointment: Appointment,
    kind: str,
    enabled: set[str] | None = None,
    fresh: bool = False,
) -> list[tuple[str, int]]:
    """(channel, recipient) pairs message ``kind`` is owed on now; [] for none.
    ``recipient``: 0, or for ``team`` kinds the id of the team member told.
    ``enabled``: the salon's channels if the caller read them already;
    ``fresh``: the appointment is new in this transaction (nothing failed yet)."""
    who, _ = RULES[kind]
    enabled = enabled_channels(appointment.tenant_id) if enabled is None else enabled
    if who == "member":
        return [("staff", 0)] if "staff" in enabled else []
    if who == "team":
        if "staff" not in enabled:
            return []
        actor = _acting_staff_id()
        return [("staff", staff_id) for staff_id in _team_ids(appointment) if staff_id != actor]
    if refusal(appointment, kind) is not None:
        return []
    failed = set() if fresh else failed_channels(appointment)
    for channel in delivery.channels(appointment):  # the customer's preferred first
        if channel in enabled and channel not in failed:
            return [(channel, 0)]
    return []


def wants_reminders(appointment: Appointment) -> bool:
    """The customer agreed to reminders (a calendar alarm is one, too)."""
    return refusal(appointment, "reminder_1") is None
