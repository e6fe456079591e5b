"""/v1/clients: the client book. Profiles are sealed; the service cannot open them.

Personal fields pass only through :mod:`hushbook_service.client_profiles`.
"""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from .. import audit, client_profiles
from ..auth import principal, require
from ..db import write_transaction
from ..extensions import Blueprint, CursorPage, Schema
from ..models import Client
from ..tenancy import current_tenant, get_or_404, scoped
from .common import PageQuery

blp = Blueprint("clients", __name__, url_prefix="/v1/clients", description="Client book (sealed)")

FIELD_NAME = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$")
SEALED_BLOB = validate.And(validate.Length(1, 12_000), validate.Regexp(r"^[A-Za-z0-9_-]+$"))


class ClientProfileSchema(Schema):
    """Plain fields, sealed by the service on arrival (never stored in the clear)."""

    name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(validate=validate.Regexp(r"^\+?[0-9 ()/.-]{5,30}$"))
    birthday = fields.Date()
    notes = fields.String(validate=validate.Length(max=4000))

    @post_load
    def _as_text(self, data, **_):
        if "birthday" in data:  # every sealed field is text
            data["birthday"] = data["birthday"].isoformat()
        return data


SealedProfile = fields.Dict(
    keys=fields.String(validate=FIELD_NAME),
    values=fields.String(validate=SEALED_BLOB),
    validate=validate.Length(1, 40),
    metadata={"description": "Field name -> sealed blob (see docs/api.md, Sealing)"},
)


class ClientWriteSchema(Schema):
    profile = fields.Nested(ClientProfileSchema, load_only=True)
    sealed_profile = SealedProfile
    client_key = fields.String(validate=validate.Length(1, 64))

    @validates_schema
    def _one_form(self, data, **_):
        if ("profile" in data) == ("sealed_profile" in data):
            raise ValidationError("Give profile (sealed on arrival) or sealed_profile.", "profile")
        if ("sealed_profile" in data) != ("client_key" in data):
            raise ValidationError(
                "A sealed profile comes with the client_key it is bound to.", "client_key"
            )


class ClientSchema(Schema):
    id = fields.Integer(dump_only=True)
    client_key = fields.String(dump_only=True, allow_none=True)
    sealed_profile = fields.Function(client_profiles.sealed_profile, dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


def fill_profile(client: Client, data: dict) -> None:
    """Seal plain fields, or take fields sealed on the writer's side."""
    tenant = current_tenant()
    if "profile" in data:
        client_profiles.seal_plain(client, tenant, data["profile"])
    else:
        client_profiles.require_vault(tenant)
        client.client_key = data["client_key"]
        client_profiles.store_sealed(client, data["sealed_profile"])


@blp.route("")
class ClientList(MethodView):
    @blp.staff_route()
    @require("clients:read")
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ClientSchema(many=True))
    @blp.paginate(CursorPage)
    def get(self, _query):
        """List clients (sealed profiles)"""
        who = principal()
        audit.record(who.tenant_id, "client.list", "client", None)
        return scoped(Client).order_by(Client.id)

    @blp.staff_route()
    @require("clients:write")
    @blp.arguments(ClientWriteSchema)
    @blp.response(201, ClientSchema)
    @blp.alt_response(409, description="No tenant key yet (reason: vault_not_set_up)")
    def post(self, data):
        """Add a client"""
        client = Client(tenant=principal().tenant_id)
        fill_profile(client, data)
        with write_transaction():
            client.save()
            audit.record(client.tenant_id, "client.create", "client", client.id)
        return client


@blp.route("/<client_id>")
class ClientItem(MethodView):
    @blp.staff_route()
    @require("clients:read")
    @blp.response(200, ClientSchema)
    def get(self, client_id):
        """Read a client (sealed profile: open it on your side)"""
        client = get_or_404(Client, client_id, "Client")
        audit.record(client.tenant_id, "client.read", "client", client.id)
        return client
