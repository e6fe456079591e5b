"""/v1/blocked-contacts: who may not book online, kept as blind indexes only."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import ValidationError, fields, validates_schema

from hushbook_service import audit
from hushbook_service.accounts.principals import principal
from hushbook_service.accounts.tenancy import get_or_404, scoped
from hushbook_service.db import write_transaction
from hushbook_service.errors import field_error
from hushbook_service.models import BlockedContact
from hushbook_service.privacy import clientbook
from hushbook_service.resources.clients import ContactsSchema
from hushbook_service.resources.extensions import Blueprint, Schema

blp = Blueprint(
    "blocked_contacts",
    __name__,
    url_prefix="/v1/blocked-contacts",
    description="Contacts refused for online booking (stored as keyed hashes, never plain)",
)


class BlockedContactSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"description": "email or phone"})
    reason = fields.String(dump_only=True, metadata={"description": "manual or no_shows"})
    created_at = fields.AwareDateTime(dump_only=True)


class BlockRequestSchema(ContactsSchema):
    @validates_schema
    def _something(self, data, **_):
        if not data:
            raise ValidationError("Give an e-mail address and/or a phone number.", "email")


@blp.route("")
class BlockedContactList(MethodView):
    @blp.staff_route("tenant:write")
    @blp.response(200, BlockedContactSchema(many=True))
    def get(self):
        """The blocklist (kinds and reasons only: the contacts are not stored)"""
        return scoped(BlockedContact).order_by(BlockedContact.id)

    @blp.staff_route("tenant:write")
    @blp.arguments(BlockRequestSchema)
    @blp.response(201, BlockedContactSchema(many=True))
    def post(self, data):
        """Block an e-mail address and/or phone number from booking online"""
        tenant_id = principal().tenant_id
        pairs = clientbook.digests(tenant_id, data)
        if not pairs:
            field_error("phone", "This phone number cannot be read.")
        rows = []
        with write_transaction():
            for kind, digest in pairs:
                row, _ = BlockedContact.get_or_create(
                    tenant=tenant_id, kind=kind, digest=digest, defaults={"reason": "manual"}
                )
                rows.append(row)
                audit.record(tenant_id, "blocklist.add", "blocked_contact", row.id, kind=kind)
        return rows


@blp.route("/<id:blocked_contact_id>")
class BlockedContactItem(MethodView):
    @blp.staff_route("tenant:write")
    @blp.response(204)
    def delete(self, blocked_contact_id):
        """Unblock"""
        row = get_or_404(BlockedContact, blocked_contact_id, "Blocked contact")
        with write_transaction():
            row.delete_instance()
            audit.record(row.tenant_id, "blocklist.remove", "blocked_contact", row.id)
