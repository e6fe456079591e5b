"""/v1/integration-keys: long-lived, scoped, revocable keys for plugins and scripts."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from hushbook_service import audit
from hushbook_service.accounts import logins as identity
from hushbook_service.accounts.principals import GRANTABLE_SCOPES, principal
from hushbook_service.accounts.tenancy import get_or_404, scoped
from hushbook_service.db import utcnow, write_transaction
from hushbook_service.models import IntegrationKey
from hushbook_service.resources.common import Name
from hushbook_service.resources.extensions import Blueprint, Schema

blp = Blueprint(
    "integration_keys",
    __name__,
    url_prefix="/v1/integration-keys",
    description="Keys for the WordPress/Shopify plugins and SDK scripts",
)


class IntegrationKeySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Name(100, required=True)
    scopes = fields.List(
        fields.String(validate=validate.OneOf(GRANTABLE_SCOPES)),
        required=True,
        validate=validate.Length(min=1, max=len(GRANTABLE_SCOPES)),
    )
    created_at = fields.AwareDateTime(dump_only=True)
    last_used_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class IntegrationKeyCreatedSchema(IntegrationKeySchema):
    key = fields.String(dump_only=True, metadata={"description": "Shown once; store it safely"})


def _dumpable(row: IntegrationKey) -> IntegrationKey:
    row.scopes = row.scopes.split() if isinstance(row.scopes, str) else row.scopes  # type: ignore[assignment]
    return row


@blp.route("")
class IntegrationKeyList(MethodView):
    @blp.staff_route("integration_keys:manage")
    @blp.response(200, IntegrationKeySchema(many=True))
    def get(self):
        """List integration keys (never their secret)"""
        return [_dumpable(k) for k in scoped(IntegrationKey).order_by(IntegrationKey.id)]

    @blp.staff_route("integration_keys:manage")
    @blp.arguments(IntegrationKeySchema)
    @blp.response(201, IntegrationKeyCreatedSchema)
    def post(self, data):
        """Issue a key with the given scopes (the key is shown once)"""
        who = principal()
        row, token = identity.create_integration_key(
            who.tenant_id, data["name"], data["scopes"], who.staff_id
        )
        audit.record(
            who.tenant_id,
            "integration_key.create",
            "integration_key",
            row.id,
            scopes=data["scopes"],
        )
        row.key = token
        return _dumpable(row)


@blp.route("/<id:key_id>")
class IntegrationKeyItem(MethodView):
    @blp.staff_route("integration_keys:manage")
    @blp.response(204)
    def delete(self, key_id):
        """Revoke a key: it stops working at once"""
        row = get_or_404(IntegrationKey, key_id, "Integration key")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            with write_transaction():
                row.save()
                audit.record(row.tenant_id, "integration_key.revoke", "integration_key", row.id)
