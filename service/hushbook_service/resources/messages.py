"""/v1/messages: what was sent to clients and the team, when, and what failed (no
contact data)."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from hushbook_service.accounts.tenancy import scoped
from hushbook_service.models import MESSAGE_KINDS, MESSAGE_STATES, Message
from hushbook_service.resources.common import PageQuery
from hushbook_service.resources.extensions import Blueprint, CursorPage, Schema

blp = Blueprint(
    "messages",
    __name__,
    url_prefix="/v1/messages",
    description="The message ledger: confirmations and reminders, state per appointment",
)


class MessageSchema(Schema):
    id = fields.Integer(dump_only=True)
    appointment_id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True)
    channel = fields.String(
        dump_only=True,
        metadata={"description": "email or sms (the customer), staff (a team member's e-mail)"},
    )
    recipient = fields.Integer(
        dump_only=True,
        metadata={
            "description": "Channel staff: the team member's id for the team's news (team_*), "
            "0 for the appointment's own team member (mark_outcome); 0 otherwise"
        },
    )
    state = fields.String(dump_only=True)
    due_at = fields.AwareDateTime(dump_only=True)
    sent_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    attempts = fields.Integer(dump_only=True)
    last_error = fields.String(
        dump_only=True, metadata={"description": "A reason code (e.g. smtp_unreachable), or empty"}
    )
    provider_id = fields.String(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class MessageQuery(PageQuery):
    appointment_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(MESSAGE_STATES))
    kind = fields.String(validate=validate.OneOf(MESSAGE_KINDS))
    order = fields.String(
        validate=validate.OneOf(("asc", "desc")),
        metadata={
            "description": "By due time: asc (default, earliest first) or desc (latest first)"
        },
    )


@blp.route("")
class MessageList(MethodView):
    @blp.staff_route("appointments:read")
    @blp.arguments(MessageQuery, location="query")
    @blp.response(200, MessageSchema(many=True))
    @blp.paginate(CursorPage)
    def get(self, query):
        """Messages by due time (order=desc: latest first); filter by appointment, state, kind"""
        if query.get("order") == "desc":
            rows = scoped(Message).order_by(Message.due_at.desc(), Message.id.desc())
        else:
            rows = scoped(Message).order_by(Message.due_at, Message.id)
        if "appointment_id" in query:
            rows = rows.where(Message.appointment == query["appointment_id"])
        if "state" in query:
            rows = rows.where(Message.state == query["state"])
        if "kind" in query:
            rows = rows.where(Message.kind == query["kind"])
        return rows
