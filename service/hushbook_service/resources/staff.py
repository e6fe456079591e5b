"""/v1/staff: personal accounts, roles, working hours, exceptions, time off."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from flask.views import MethodView
from marshmallow import ValidationError, fields, post_dump, validate, validates_schema

from hushbook_service.accounts import members
from hushbook_service.accounts.principals import principal
from hushbook_service.accounts.tenancy import current_tenant, get_or_404, scoped
from hushbook_service.db import write_transaction
from hushbook_service.errors import abort, field_error
from hushbook_service.models import ROLES, ScheduleException, Staff, TimeOff, WorkingHours
from hushbook_service.resources.common import Name, PageQuery, local_to_utc
from hushbook_service.resources.extensions import Blueprint, CursorPage, QuerySchema, Schema

blp = Blueprint("staff", __name__, url_prefix="/v1/staff", description="Team members and schedules")


NOTIFY = (
    "E-mails about new online bookings, confirmations, cancellations and moves (ids, "
    "time and service, never client data): the member's own appointments, or all of "
    "them for owner, manager and reception; default true"
)


class StaffSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    display_name = Name(100, required=True)
    public_name = Name(
        100,
        allow_none=True,
        metadata={"description": "Shown to the public instead of the display name (a pseudonym)"},
    )
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    bookable = fields.Boolean(load_default=True)
    notify_bookings = fields.Boolean(load_default=True, metadata={"description": NOTIFY})
    active = fields.Boolean(dump_only=True)
    must_change_password = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class StaffUpdateSchema(Schema):
    display_name = Name(100)
    public_name = Name(
        100,
        allow_none=True,
        metadata={"description": "Shown to the public instead of the display name (a pseudonym)"},
    )
    role = fields.String(validate=validate.OneOf(ROLES))
    bookable = fields.Boolean()
    notify_bookings = fields.Boolean(metadata={"description": NOTIFY})


class StaffCreatedSchema(StaffSchema):
    one_time_password = fields.String(
        dump_only=True, metadata={"description": "Shown once; must be changed at first login"}
    )


class StaffQuery(PageQuery):
    active = fields.Boolean()
    role = fields.String(validate=validate.OneOf(ROLES))


@blp.route("")
class StaffList(MethodView):
    @blp.staff_route("staff:read")
    @blp.arguments(StaffQuery, location="query")
    @blp.response(200, StaffSchema(many=True))
    @blp.paginate(CursorPage)
    def get(self, query):
        """List team members"""
        rows = scoped(Staff).order_by(Staff.id)
        if "active" in query:
            rows = rows.where(Staff.active == query["active"])
        if "role" in query:
            rows = rows.where(Staff.role == query["role"])
        return rows

    @blp.staff_route("staff:write")
    @blp.arguments(StaffSchema)
    @blp.response(201, StaffCreatedSchema)
    @blp.alt_response(409, description="E-mail already in use in this business")
    def post(self, data):
        """Invite a team member (returns a one-time password, shown once)"""
        staff, staff.one_time_password = members.invite(principal(), data)
        return staff


@blp.route("/<id:staff_id>")
class StaffItem(MethodView):
    @blp.staff_route("staff:read")
    @blp.etag
    @blp.response(200, StaffSchema)
    def get(self, staff_id):
        """Read one team member"""
        return get_or_404(Staff, staff_id, "Team member")

    @blp.staff_route("staff:write")
    @blp.etag
    @blp.arguments(StaffUpdateSchema)
    @blp.response(200, StaffSchema)
    def patch(self, data, staff_id):
        """Change name, role, bookability or the booking e-mails (If-Match required).
        A role change revokes the member's tokens."""
        staff = get_or_404(Staff, staff_id, "Team member")
        blp.check_etag(staff, StaffSchema)
        return members.update(principal(), staff, data)


@blp.route("/<id:staff_id>/deactivate")
class StaffDeactivate(MethodView):
    @blp.staff_route("staff:write")
    @blp.response(200, StaffSchema)
    def post(self, staff_id):
        """Deactivate an account: every token it holds stops working at once"""
        return members.deactivate(principal(), get_or_404(Staff, staff_id, "Team member"))


@blp.route("/<id:staff_id>/reactivate")
class StaffReactivate(MethodView):
    @blp.staff_route("staff:write")
    @blp.response(200, StaffCreatedSchema)
    def post(self, staff_id):
        """Reactivate an account with a fresh one-time password"""
        staff = get_or_404(Staff, staff_id, "Team member")
        staff.one_time_password = members.reactivate(principal(), staff)
        return staff


# --- working hours -----------------------------------------------------------


class WorkingHoursRuleSchema(Schema):
    weekday = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(0, 6),
        metadata={"description": "0 = Monday … 6 = Sunday"},
    )
    kind = fields.String(load_default="shift", validate=validate.OneOf(["shift", "break"]))
    start = fields.Time(required=True, format="%H:%M")
    end = fields.Time(required=True, format="%H:%M")

    @validates_schema
    def _ordered(self, data, **_):
        if data["end"] <= data["start"]:
            raise ValidationError("Must be after start.", "end")


class WorkingHoursSchema(Schema):
    rules = fields.List(
        fields.Nested(WorkingHoursRuleSchema), required=True, validate=validate.Length(max=100)
    )

    @validates_schema
    def _consistent(self, data, **_):
        """Shifts of one weekday must not overlap; breaks must lie in a shift."""
        by_day: dict[tuple[int, str], list] = defaultdict(list)
        for rule in data["rules"]:
            by_day[(rule["weekday"], rule["kind"])].append((rule["start"], rule["end"]))
        for (weekday, kind), ranges in by_day.items():
            ranges.sort()
            for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
                if start < end:
                    raise ValidationError(f"Overlapping {kind}s on weekday {weekday}.", "rules")
            if kind == "break":
                shifts = by_day.get((weekday, "shift"), [])
                for start, end in ranges:
                    if not any(s <= start and end <= e for s, e in shifts):
                        raise ValidationError(
                            f"A break on weekday {weekday} lies outside every shift.", "rules"
                        )


def _weekly_rules(staff: Staff) -> dict:
    rules = scoped(WorkingHours).where(WorkingHours.staff == staff.id)
    return {"rules": list(rules.order_by(WorkingHours.weekday, WorkingHours.start))}


@blp.route("/<id:staff_id>/working-hours")
class StaffWorkingHours(MethodView):
    @blp.staff_route("schedules:read")
    @blp.response(200, WorkingHoursSchema)
    def get(self, staff_id):
        """Weekly working hours and breaks (tenant's wall-clock time)"""
        return _weekly_rules(get_or_404(Staff, staff_id, "Team member"))

    @blp.staff_route("schedules:write")
    @blp.arguments(WorkingHoursSchema)
    @blp.response(200, WorkingHoursSchema)
    def put(self, data, staff_id):
        """Replace the whole weekly pattern at once"""
        staff = get_or_404(Staff, staff_id, "Team member")
        with write_transaction():
            WorkingHours.delete().where(
                WorkingHours.tenant == staff.tenant_id, WorkingHours.staff == staff.id
            ).execute()
            for rule in data["rules"]:
                WorkingHours.create(tenant=staff.tenant_id, staff=staff.id, **rule)
        return _weekly_rules(staff)


# --- one-off exceptions --------------------------------------------------------


class ExceptionSchema(Schema):
    id = fields.Integer(dump_only=True)
    date = fields.Date(required=True)
    start = fields.Time(format="%H:%M", allow_none=True, load_default=None)
    end = fields.Time(format="%H:%M", allow_none=True, load_default=None)

    @validates_schema
    def _ordered(self, data, **_):
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise ValidationError("Give both start and end, or neither for a day off.", "end")
        if start is not None and end <= start:
            raise ValidationError("Must be after start.", "end")


class DateRangeQuery(QuerySchema):
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")


@blp.route("/<id:staff_id>/exceptions")
class StaffExceptions(MethodView):
    @blp.staff_route("schedules:read")
    @blp.arguments(DateRangeQuery, location="query")
    @blp.response(200, ExceptionSchema(many=True))
    def get(self, query, staff_id):
        """One-off hours (a date's hours replaced; no times = day off)"""
        staff = get_or_404(Staff, staff_id, "Team member")
        rows = scoped(ScheduleException).where(ScheduleException.staff == staff.id)
        if "date_from" in query:
            rows = rows.where(ScheduleException.date >= query["date_from"])
        if "date_to" in query:
            rows = rows.where(ScheduleException.date <= query["date_to"])
        return rows.order_by(ScheduleException.date, ScheduleException.start)

    @blp.staff_route("schedules:write")
    @blp.arguments(ExceptionSchema)
    @blp.response(201, ExceptionSchema)
    def post(self, data, staff_id):
        """Add one-off hours or a day off for a date"""
        staff = get_or_404(Staff, staff_id, "Team member")
        same_day = scoped(ScheduleException).where(
            ScheduleException.staff == staff.id, ScheduleException.date == data["date"]
        )
        for other in same_day:
            if other.start is None or data["start"] is None:
                field_error("date", "This date already has an exception; delete it first.", 409)
            if other.start < data["end"] and data["start"] < other.end:
                field_error("start", "Overlaps another exception on this date.", 409)
        return ScheduleException.create(tenant=staff.tenant_id, staff=staff.id, **data)


@blp.route("/<id:staff_id>/exceptions/<id:exception_id>")
class StaffExceptionItem(MethodView):
    @blp.staff_route("schedules:write")
    @blp.response(204)
    def delete(self, staff_id, exception_id):
        """Remove a one-off exception"""
        staff = get_or_404(Staff, staff_id, "Team member")
        row = get_or_404(ScheduleException, exception_id, "Exception")
        if row.staff_id != staff.id:
            abort(404, "Exception not found.")
        row.delete_instance()


# --- time off --------------------------------------------------------------------


TIME_OFF_KINDS = ("vacation", "sick", "training", "other")


class TimeOffSchema(Schema):
    id = fields.Integer(dump_only=True)
    start_at = fields.DateTime(
        required=True, metadata={"description": "ISO 8601; without offset: tenant's local time"}
    )
    end_at = fields.DateTime(required=True)
    kind = fields.String(
        load_default="other",
        validate=validate.OneOf(TIME_OFF_KINDS),
        metadata={"description": "Shown as 'away' to roles that do not manage schedules"},
    )

    @post_dump
    def _hide_reason(self, data, **_):
        # Why someone is away (sick leave is health data) is for managers only.
        if not principal().can("schedules:write"):
            data["kind"] = "away"
        return data


@blp.route("/<id:staff_id>/time-off")
class StaffTimeOff(MethodView):
    @blp.staff_route("schedules:read")
    @blp.response(200, TimeOffSchema(many=True))
    def get(self, staff_id):
        """Time off (vacation, sick leave, training)"""
        staff = get_or_404(Staff, staff_id, "Team member")
        return scoped(TimeOff).where(TimeOff.staff == staff.id).order_by(TimeOff.start_at)

    @blp.staff_route("schedules:write")
    @blp.arguments(TimeOffSchema)
    @blp.response(201, TimeOffSchema)
    def post(self, data, staff_id):
        """Add time off"""
        staff = get_or_404(Staff, staff_id, "Team member")
        tz = ZoneInfo(current_tenant().timezone)
        start = local_to_utc(data["start_at"], "start_at", tz)
        end = local_to_utc(data["end_at"], "end_at", tz)
        if end <= start:
            field_error("end_at", "Must be after start_at.")
        if (end - start).days > 366:
            field_error("end_at", "Time off spans more than a year.")
        return TimeOff.create(
            tenant=staff.tenant_id, staff=staff.id, start_at=start, end_at=end, kind=data["kind"]
        )


@blp.route("/<id:staff_id>/time-off/<id:time_off_id>")
class StaffTimeOffItem(MethodView):
    @blp.staff_route("schedules:write")
    @blp.response(204)
    def delete(self, staff_id, time_off_id):
        """Remove time off"""
        staff = get_or_404(Staff, staff_id, "Team member")
        row = get_or_404(TimeOff, time_off_id, "Time off")
        if row.staff_id != staff.id:
            abort(404, "Time off not found.")
        row.delete_instance()
