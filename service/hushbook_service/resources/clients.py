"""/v1/clients: the client book. Personal fields pass only through
:mod:`hushbook_service.client_profiles`."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from .. import audit, client_profiles
from ..auth import principal, require
from ..db import write_transaction
from ..extensions import Blueprint, CursorPage, Schema
from ..models import Client
from ..tenancy import get_or_404, scoped
from .common import PageQuery

blp = Blueprint("clients", __name__, url_prefix="/v1/clients", description="Client book")


class ClientProfileSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(validate=validate.Regexp(r"^\+?[0-9 ()/.-]{5,30}$"))
    notes = fields.String(validate=validate.Length(max=4000))


class ClientSchema(Schema):
    id = fields.Integer(dump_only=True)
    profile = fields.Method("_profile", deserialize="_load_profile", required=True)
    created_at = fields.AwareDateTime(dump_only=True)

    def _profile(self, client):
        return client_profiles.read_profile(client)

    def _load_profile(self, value):
        return ClientProfileSchema().load(value)


@blp.route("")
class ClientList(MethodView):
    @blp.staff_route()
    @require("clients:read")
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ClientSchema(many=True))
    @blp.paginate(CursorPage)
    def get(self, _query):
        """List clients"""
        who = principal()
        audit.record(who.tenant_id, "client.list", "client", None)
        return scoped(Client).order_by(Client.id)

    @blp.staff_route()
    @require("clients:write")
    @blp.arguments(ClientSchema)
    @blp.response(201, ClientSchema)
    def post(self, data):
        """Add a client"""
        client = Client(tenant=principal().tenant_id)
        client_profiles.write_profile(client, data["profile"])
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
        """Read a client"""
        client = get_or_404(Client, client_id, "Client")
        audit.record(client.tenant_id, "client.read", "client", client.id)
        return client
