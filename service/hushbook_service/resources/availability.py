"""/v1/availability: free times for the salon's own people (never public).

Reception uses it to book a caller. The public never gets this list: the
public surface answers with a few offers (docs/stealth.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask.views import MethodView
from marshmallow import fields

from hushbook_service.accounts.tenancy import current_tenant, get_or_404, scoped
from hushbook_service.errors import field_error
from hushbook_service.models import Service, ServiceStaff, Staff
from hushbook_service.resources.common import local_to_utc
from hushbook_service.resources.extensions import Blueprint, QuerySchema, Schema
from hushbook_service.scheduling import booking, slots

blp = Blueprint(
    "availability",
    __name__,
    url_prefix="/v1/availability",
    description="Free times for staff-side booking (not public)",
)
# A quarter in one request (reception planning ahead); 50 people x 92 days is
# ~40 ms of work (bench/slots.py), so the limit guards against abuse, not cost.
MAX_WINDOW = timedelta(days=92)


class AvailabilityQuery(QuerySchema):
    service_id = fields.Integer(required=True)
    staff_id = fields.Integer(metadata={"description": "Only this team member"})
    date_from = fields.DateTime(required=True, data_key="from")
    date_to = fields.DateTime(required=True, data_key="to")


class WindowSchema(Schema):
    first = fields.AwareDateTime(metadata={"description": "First free start"})
    last = fields.AwareDateTime(metadata={"description": "Last free start"})


class StaffAvailabilitySchema(Schema):
    staff_id = fields.Integer()
    step_min = fields.Integer(metadata={"description": "Starts repeat every step_min"})
    count = fields.Integer(metadata={"description": "Number of free starts"})
    windows = fields.List(fields.Nested(WindowSchema))


@blp.route("")
class Availability(MethodView):
    @blp.staff_route("appointments:write")
    @blp.arguments(AvailabilityQuery, location="query")
    @blp.response(200, StaffAvailabilitySchema(many=True))
    def get(self, query):
        """Free start times for a service, per team member who offers it"""
        tenant = current_tenant()
        tz = ZoneInfo(tenant.timezone)
        start = local_to_utc(query["date_from"], "from", tz)
        end = local_to_utc(query["date_to"], "to", tz)
        if end <= start:  # compared in UTC: one end may carry an offset, the other not
            field_error("to", "Must be after 'from'.")
        if end - start > MAX_WINDOW:
            field_error("to", f"Ask for at most {MAX_WINDOW.days} days at a time.")
        service = get_or_404(Service, query["service_id"], "Service")
        team = (
            scoped(Staff, Staff.id)  # all free_times needs of a member
            .join(ServiceStaff, on=ServiceStaff.staff == Staff.id)
            .where(
                ServiceStaff.service == service.id,
                Staff.active == True,
                Staff.bookable == True,
            )
        )
        if "staff_id" in query:
            team = team.where(Staff.id == query["staff_id"])
        answer = booking.free_times(tenant, service, list(team.order_by(Staff.id)), start, end)
        return fast_dump(answer, tenant.slot_granularity_min)


def fast_dump(answer: dict[int, slots.Availability], step_min: int) -> Response:
    """The answer as ``StaffAvailabilitySchema(many=True)`` and Flask's JSON
    would write it (sorted keys, compact, byte for byte; a test holds them
    together), without marshmallow and a datetime per window: a month for a
    large team has thousands of windows. The schema still documents it."""
    iso: dict[int, str] = {}  # the same instants recur across the team

    def utc(seconds: int) -> str:
        text = iso.get(seconds)
        if text is None:
            text = iso[seconds] = datetime.fromtimestamp(seconds, UTC).isoformat()
        return text

    members = []
    for staff_id, found in sorted(answer.items()):
        windows = ",".join(
            f'{{"first":"{utc(first)}","last":"{utc(last)}"}}'
            for first, last in found.run_seconds()
        )
        members.append(
            f'{{"count":{found.count()},"staff_id":{staff_id},'
            f'"step_min":{step_min},"windows":[{windows}]}}'
        )
    body = "[" + ",".join(members) + "]\n"
    return current_app.response_class(body, mimetype="application/json")
