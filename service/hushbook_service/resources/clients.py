"""/v1/clients: the client book. Profiles are sealed; the service cannot open them.

Personal fields pass only through :mod:`hushbook_service.privacy.profiles`;
figures, returning-client digests, consent, export and erasure through
:mod:`hushbook_service.privacy.clientbook`.
"""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from hushbook_service import audit
from hushbook_service.accounts.principals import principal
from hushbook_service.accounts.tenancy import current_tenant, get_or_404, scoped
from hushbook_service.db import lock_row, write_transaction
from hushbook_service.errors import field_error
from hushbook_service.messaging import ledger as messages
from hushbook_service.models import Client, Consent, Tenant
from hushbook_service.privacy import clientbook, clients
from hushbook_service.privacy import profiles as client_profiles
from hushbook_service.resources.common import LOCALES, PageQuery
from hushbook_service.resources.extensions import Blueprint, CursorPage, Schema

blp = Blueprint("clients", __name__, url_prefix="/v1/clients", description="Client book (sealed)")

FIELD_NAME = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$")
SEALED_BLOB = validate.And(validate.Length(1, 12_000), validate.Regexp(r"^[A-Za-z0-9_-]+$"))
PURPOSES = ("booking", "reminders", "marketing", "birthday")


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


class ContactsSchema(Schema):
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(validate=validate.Regexp(r"^\+?[0-9 ()/.-]{5,30}$"))


class ConsentSchema(Schema):
    notice_version = fields.Integer(required=True, strict=True)
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    purposes = fields.List(
        fields.String(validate=validate.OneOf(PURPOSES)),
        required=True,
        validate=validate.Length(1, len(PURPOSES)),
    )


def SealedProfile(description: str, required: bool = False) -> fields.Dict:  # noqa: N802
    """Field name -> base64url blob sealed to the tenant key (never opened here)."""
    return fields.Dict(
        keys=fields.String(validate=FIELD_NAME),
        values=fields.String(validate=SEALED_BLOB),
        validate=validate.Length(1, 40),
        required=required,
        metadata={"description": description},
    )


def KeyVersion() -> fields.Integer:  # noqa: N802 - reads like a field type
    return fields.Integer(
        strict=True,
        load_only=True,
        metadata={
            "description": "With sealed_profile: the tenant key version it was sealed to "
            "(refused with 409 stale_key_version after a rotation, so nothing is stored "
            "that the current key cannot open)"
        },
    )


class ClientWriteSchema(Schema):
    profile = fields.Nested(ClientProfileSchema, load_only=True)
    sealed_profile = SealedProfile("Field name -> blob sealed on your side (docs/api.md)")
    client_key = fields.String(validate=validate.Length(1, 64))
    key_version = KeyVersion()
    contacts = fields.Nested(
        ContactsSchema,
        load_only=True,
        metadata={
            "description": "With sealed_profile: contacts to recognise the client by "
            "(hashed with a keyed blind index, never stored)"
        },
    )
    birthday_month = fields.Integer(strict=True, validate=validate.Range(1, 12))
    consent = fields.Nested(ConsentSchema, load_only=True)

    @validates_schema
    def _one_form(self, data, **_):
        if ("profile" in data) == ("sealed_profile" in data):
            raise ValidationError("Give profile (sealed on arrival) or sealed_profile.", "profile")
        if ("sealed_profile" in data) != ("client_key" in data):
            raise ValidationError(
                "A sealed profile comes with the client_key it is bound to.", "client_key"
            )
        if "birthday_month" in data and "birthday" not in data.get("consent", {}).get(
            "purposes", []
        ):
            raise ValidationError("Only with the client's consent to 'birthday'.", "birthday_month")


class ClientProfileUpdateSchema(Schema):
    sealed_profile = SealedProfile(
        "The whole profile as it is now, field name -> blob sealed on your side; "
        "replaces the stored one (fields left out are gone)",
        required=True,
    )
    client_key = fields.String(
        required=True,
        validate=validate.Length(1, 64),
        metadata={"description": "A new client key the blobs are bound to (not the old one)"},
    )
    key_version = fields.Integer(
        strict=True,
        required=True,
        metadata={
            "description": "The tenant key version it was sealed to; must be the current "
            "one (409 stale_key_version after a rotation)"
        },
    )
    contacts = fields.Nested(
        ContactsSchema,
        metadata={
            "description": "The client's e-mail and phone as they are now: replace the "
            "lookup digests ({} removes them). Left out: the digests stay as they are"
        },
    )


class ConsentReadSchema(Schema):
    notice_version = fields.Integer()
    locale = fields.String()
    purposes = fields.Function(lambda c: c.purposes.split())
    given_at = fields.AwareDateTime()
    source = fields.String()


class ClientSchema(Schema):
    id = fields.Integer(dump_only=True)
    client_key = fields.String(dump_only=True, allow_none=True)
    sealed_profile = fields.Function(client_profiles.sealed_profile, dump_only=True)
    figures = fields.Function(clientbook.figures, dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class ClientDetailSchema(ClientSchema):
    """One client: also the consents given (not in lists or appointments)."""

    consents = fields.Method("_consents", dump_only=True)

    def _consents(self, client):
        rows = client.consents.order_by(Consent.given_at, Consent.id)
        return ConsentReadSchema(many=True).dump(rows)


class ClientQuery(PageQuery):
    category = fields.String(validate=validate.OneOf(["new", "regular", "vip"]))
    last_visit_before = fields.AwareDateTime()
    last_visit_after = fields.AwareDateTime()
    min_visits = fields.Integer(validate=validate.Range(0, 100_000))
    min_spent_cents = fields.Integer(validate=validate.Range(0, 10**10))


@blp.route("")
class ClientList(MethodView):
    @blp.staff_route("clients:read", "appointments:read")
    @blp.arguments(ClientQuery, location="query")
    @blp.response(200, ClientSchema(many=True))
    @blp.paginate(CursorPage)
    def get(self, query):
        """List clients: sealed profiles, figures; filter by category, last visit, figures.
        Roles without client identities (accountant) get figures only."""
        who = principal()
        rows = scoped(Client).order_by(Client.id)
        if "category" in query:
            rows = rows.where(Client.category == query["category"])
        if "last_visit_before" in query:
            rows = rows.where(Client.last_visit < query["last_visit_before"])
        if "last_visit_after" in query:
            rows = rows.where(Client.last_visit >= query["last_visit_after"])
        if "min_visits" in query:
            rows = rows.where(Client.visits >= query["min_visits"])
        if "min_spent_cents" in query:
            rows = rows.where(Client.total_spent_cents >= query["min_spent_cents"])
        if not who.can("clients:read"):
            return _FiguresOnly(rows)
        audit.record(who.tenant_id, "client.list", "client", None)
        return rows

    @blp.staff_route("clients:write")
    @blp.arguments(ClientWriteSchema)
    @blp.response(201, ClientSchema)
    @blp.alt_response(409, description="No tenant key yet (reason: vault_not_set_up)")
    def post(self, data):
        """Add a client (with the consent given, if any)"""
        tenant = current_tenant()
        with write_transaction():
            return clients.create_client(tenant, data, source="staff")


@blp.route("/lookup")
class ClientLookup(MethodView):
    @blp.staff_route("clients:read")
    @blp.arguments(ContactsSchema)
    @blp.response(200, ClientSchema(many=True))
    def post(self, data):
        """Find a returning client by e-mail or phone (hashed, never stored or logged)"""
        if not data:
            field_error("email", "Give an e-mail or a phone number.")
        tenant = current_tenant()
        found = clientbook.find_returning(tenant.id, data)
        audit.record(tenant.id, "client.lookup", "client", found.id if found else None)
        return [found] if found else []


@blp.route("/<id:client_id>")
class ClientItem(MethodView):
    @blp.staff_route("clients:read")
    @blp.etag
    @blp.response(200, ClientDetailSchema)
    def get(self, client_id):
        """Read a client (sealed profile: open it on your side) with its consents;
        the ETag is for changing the profile"""
        client = get_or_404(Client, client_id, "Client")
        audit.record(client.tenant_id, "client.read", "client", client.id)
        return client

    @blp.staff_route("clients:write")
    @blp.response(204)
    def delete(self, client_id):
        """Erase a client (Art. 17): sealed data, index, consents and contacts go;
        appointments stay, anonymous"""
        clientbook.erase(get_or_404(Client, client_id, "Client"), reason="request")


@blp.route("/<id:client_id>/profile")
class ClientProfile(MethodView):
    @blp.staff_route("clients:write")
    @blp.etag
    @blp.arguments(ClientProfileUpdateSchema)
    @blp.response(200, ClientDetailSchema)
    @blp.alt_response(409, description="Sealed to a rotated-out key (reason: stale_key_version)")
    def put(self, data, client_id):
        """Replace a client's profile with one changed and sealed again on your side
        (If-Match required: the ETag of GET /v1/clients/{id})"""
        tenant_id = current_tenant().id
        with write_transaction():
            # The tenant's row first, as a rotation (which re-seals every profile)
            # takes it; then the client's. Both read again under the locks.
            lock_row(Tenant, tenant_id)
            tenant = Tenant.get_by_id(tenant_id)
            client = get_or_404(Client, client_id, "Client")
            lock_row(Client, client.id)
            blp.check_etag(client, ClientDetailSchema)
            return clients.replace_profile(client, tenant, data)


class ConsentChangeSchema(ConsentSchema):
    purposes = fields.List(
        fields.String(validate=validate.OneOf(PURPOSES)),
        required=True,
        validate=validate.Length(0, len(PURPOSES)),
        metadata={
            "description": "Everything the client agrees to now; a purpose left out is "
            "withdrawn (reminders of upcoming appointments are revoked at once)"
        },
    )


@blp.route("/<id:client_id>/consents")
class ClientConsents(MethodView):
    @blp.staff_route("clients:write")
    @blp.arguments(ConsentChangeSchema)
    @blp.response(201, ConsentReadSchema)
    def post(self, data, client_id):
        """Record the client's consent as it is now (given, changed or withdrawn); it
        replaces the one before. Messages follow at once: reminders only with
        'reminders', the birthday month kept only with 'birthday'"""
        with write_transaction():
            client = get_or_404(Client, client_id, "Client")
            lock_row(Client, client.id)
            row = clientbook.give_consent(client, data, source="staff")
            messages.on_consent_changed(client.id)
        return row


@blp.route("/<id:client_id>/export")
class ClientExport(MethodView):
    @blp.staff_route("clients:read")
    @blp.response(200)
    def get(self, client_id):
        """Everything held about one client (Art. 15/20); open the profile on your side"""
        client = get_or_404(Client, client_id, "Client")
        audit.record(client.tenant_id, "client.export", "client", client.id)
        return clientbook.export(client)


class _Redacted:
    """A client as roles without client identities see it: figures, no sealed data."""

    client_key = None
    profile = None

    def __init__(self, client: Client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)


class _FiguresOnly:
    """Paginates like the query; every row redacted."""

    def __init__(self, query):
        self.query = query

    def count(self):
        return self.query.count()

    def paginate(self, page, size):
        return [_Redacted(c) for c in self.query.paginate(page, size)]
