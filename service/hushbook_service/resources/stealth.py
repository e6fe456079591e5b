"""/v1/stealth: what the salon sees of walks on its calendar (docs/stealth.md)."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from hushbook_service.accounts.tenancy import current_tenant
from hushbook_service.public import clusters
from hushbook_service.resources.extensions import Blueprint, Schema

blp = Blueprint(
    "stealth",
    __name__,
    url_prefix="/v1/stealth",
    description="Suspicious clusters of online bookings by new contacts, and releasing them",
)


class ClusterSchema(Schema):
    id = fields.String(metadata={"description": "Names the cluster (a keyed hash of a network)"})
    bookings = fields.Integer(metadata={"description": "Upcoming online bookings in it"})
    confirmed = fields.Integer(metadata={"description": "Of those, confirmed"})
    probes = fields.Integer(
        metadata={
            "description": "Probes its network made in the last 30 days (online bookings of "
            "new contacts confirmed and then cancelled soon after or missed); past the "
            "salon's probe_threshold its new bookings are refused"
        }
    )
    appointment_ids = fields.List(fields.Integer())
    first_start = fields.AwareDateTime()
    last_start = fields.AwareDateTime()


class ReleaseRequestSchema(Schema):
    cluster = fields.String(required=True, validate=validate.Length(1, 64))


class ReleasedSchema(Schema):
    released = fields.Integer(metadata={"description": "Bookings cancelled"})


@blp.route("/clusters")
class Clusters(MethodView):
    @blp.staff_route("appointments:write")
    @blp.response(200, ClusterSchema(many=True))
    def get(self):
        """Upcoming online bookings of new contacts, grouped by network (3 or more)"""
        return clusters.clusters(current_tenant())


@blp.route("/clusters/release")
class ClusterRelease(MethodView):
    @blp.staff_route("appointments:write")
    @blp.arguments(ReleaseRequestSchema)
    @blp.response(200, ReleasedSchema)
    def post(self, data):
        """Release a cluster: every booking in it is cancelled and its time free again
        (a cluster no longer there releases nothing)"""
        return {"released": clusters.release(current_tenant(), data["cluster"])}
