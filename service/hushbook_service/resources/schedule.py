"""/v1/schedule: each team member's working day, for the console's shading."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from hushbook_service.accounts.tenancy import current_tenant, scoped
from hushbook_service.errors import field_error
from hushbook_service.models import Staff
from hushbook_service.resources.extensions import Blueprint, QuerySchema, Schema
from hushbook_service.scheduling import workdays

blp = Blueprint(
    "schedule",
    __name__,
    url_prefix="/v1/schedule",
    description="Working time per team member and day (hours, time off, closures)",
)
MAX_DAYS = 42


class ScheduleQuery(QuerySchema):
    date_from = fields.Date(required=True, data_key="from", metadata={"description": "First day"})
    date_to = fields.Date(
        required=True,
        data_key="to",
        metadata={"description": f"Last day, inclusive (at most {MAX_DAYS} days in all)"},
    )


class HoursSchema(Schema):
    start = fields.String(metadata={"description": "Local wall time HH:MM"})
    end = fields.String(metadata={"description": "Local wall time HH:MM; 24:00 = midnight"})


class AwaySchema(HoursSchema):
    kind = fields.String(
        validate=validate.OneOf(["time_off", "closure"]),
        metadata={"description": "time_off (the member's; never why) or closure (the salon)"},
    )
    label = fields.String(allow_none=True, metadata={"description": "A closure's label"})


class WorkingDaySchema(Schema):
    staff_id = fields.Integer()
    date = fields.Date()
    hours = fields.List(
        fields.Nested(HoursSchema),
        metadata={
            "description": "Planned working time: the weekly shifts, or the date's exception, "
            "minus breaks (before time off)"
        },
    )
    away = fields.List(
        fields.Nested(AwaySchema),
        metadata={
            "description": "Time off and closures on that day, clipped to the day, by start and end"
        },
    )


@blp.route("")
class Schedule(MethodView):
    @blp.staff_route("schedules:read")
    @blp.arguments(ScheduleQuery, location="query")
    @blp.response(200, WorkingDaySchema(many=True))
    def get(self, query):
        """Working hours and absences per active team member and day

        Local wall times of the business's zone; one row per date and active team
        member, dates in order, then members by id. At most 42 days at a time."""
        first, last = query["date_from"], query["date_to"]
        if last < first:
            field_error("to", "Must not be before 'from'.")
        if (last - first).days + 1 > MAX_DAYS:
            field_error("to", f"Ask for at most {MAX_DAYS} days at a time.")
        team = list(scoped(Staff).where(Staff.active == True).order_by(Staff.id))
        return workdays.working_days(current_tenant(), team, first, last)
