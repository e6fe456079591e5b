"""/v1/audit-events: the owner reads the tenant's audit trail."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from flask.views import MethodView
from marshmallow import fields, validate

from hushbook_service import audit
from hushbook_service.accounts.tenancy import current_tenant, scoped
from hushbook_service.models import AuditEvent
from hushbook_service.resources.common import PageQuery, local_to_utc
from hushbook_service.resources.extensions import Blueprint, CursorPage, Schema

blp = Blueprint(
    "audit", __name__, url_prefix="/v1/audit-events", description="Tamper-evident audit trail"
)


class AuditEventSchema(Schema):
    seq = fields.Integer()
    at = fields.AwareDateTime()
    actor_kind = fields.String()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_kind = fields.String(allow_none=True)
    target_id = fields.Integer(allow_none=True)
    ip = fields.String()
    details = fields.Function(lambda e: json.loads(e.details))
    hash = fields.String(metadata={"description": "SHA-256 over the event and the previous hash"})


class BrokenEventSchema(Schema):
    seq = fields.Integer()
    at = fields.AwareDateTime()
    action = fields.String()


class ChainSchema(Schema):
    intact = fields.Boolean(metadata={"description": "Every event fits the one before it"})
    events = fields.Integer(metadata={"description": "Events checked (up to the first misfit)"})
    broken_at = fields.Nested(
        BrokenEventSchema,
        allow_none=True,
        metadata={"description": "The first event that does not fit, or null"},
    )
    problem = fields.String(
        allow_none=True,
        metadata={"description": "What is wrong with it (English), or null"},
    )


class AuditQuery(PageQuery):
    action = fields.String(validate=validate.Length(1, 64))
    actor_id = fields.Integer()
    date_from = fields.DateTime(data_key="from")
    date_to = fields.DateTime(data_key="to")


@blp.route("")
class AuditEvents(MethodView):
    @blp.staff_route("audit:read")
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate(CursorPage)
    def get(self, query):
        """Audit events, newest first (filter by action, actor, time)"""
        tz = ZoneInfo(current_tenant().timezone)
        rows = scoped(AuditEvent).order_by(AuditEvent.seq.desc())
        if "action" in query:
            rows = rows.where(AuditEvent.action == query["action"])
        if "actor_id" in query:
            rows = rows.where(AuditEvent.actor_id == query["actor_id"])
        if "date_from" in query:
            rows = rows.where(AuditEvent.at >= local_to_utc(query["date_from"], "from", tz))
        if "date_to" in query:
            rows = rows.where(AuditEvent.at < local_to_utc(query["date_to"], "to", tz))
        return rows


@blp.route("/verify")
class AuditChain(MethodView):
    @blp.staff_route("audit:read")
    @blp.response(200, ChainSchema)
    def get(self):
        """Check the business's chain now (what `hushbook audit verify` does)

        Recomputes every event's hash; names the first event that no longer
        fits (changed, deleted or reordered after it was written). It cannot
        notice the newest events being deleted, nor a chain recomputed with
        the instance secret (see the audit trail in docs/api.md)."""
        verdict = audit.verify(current_tenant().id)
        bad = verdict.broken_at
        return {
            "intact": verdict.ok,
            "events": verdict.events,
            "broken_at": None
            if bad is None
            else {"seq": bad.seq, "at": bad.at, "action": bad.action},
            "problem": verdict.problem or None,
        }
