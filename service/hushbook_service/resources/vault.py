"""/v1/vault: the tenant's public key, members' wrapped keys and read grants."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from hushbook_service.accounts.principals import principal
from hushbook_service.accounts.tenancy import current_tenant, get_or_404, scoped
from hushbook_service.errors import abort
from hushbook_service.models import Staff, VaultGrant, VaultMember
from hushbook_service.privacy import vault
from hushbook_service.resources.extensions import Blueprint, Schema

blp = Blueprint(
    "vault", __name__, url_prefix="/v1/vault", description="Keys for sealed client data"
)
B64 = validate.Regexp(r"^[A-Za-z0-9_-]+$")


class WrappedKeySchema(Schema):
    """As written by ``hushbook.sealing.wrap_private_key`` on the member's side."""

    v = fields.Integer(required=True, strict=True)
    kdf = fields.String(required=True, validate=validate.OneOf(["scrypt"]))
    log_n = fields.Integer(required=True, strict=True, validate=validate.Range(16, 20))
    r = fields.Integer(required=True, strict=True, validate=validate.Range(8, 16))
    p = fields.Integer(required=True, strict=True, validate=validate.Range(1, 4))
    salt = fields.String(required=True, validate=[validate.Length(16, 64), B64])
    nonce = fields.String(required=True, validate=[validate.Length(8, 64), B64])
    ct = fields.String(required=True, validate=[validate.Length(16, 256), B64])


def public_key_field(**kw):
    return fields.String(required=True, validate=[validate.Length(43, 44), B64], **kw)


def sealed_key_field(**kw):
    return fields.String(required=True, validate=[validate.Length(40, 400), B64], **kw)


class MemberKeySchema(Schema):
    public_key = public_key_field()
    wrapped_private_key = fields.Nested(WrappedKeySchema, required=True)


class GrantSchema(Schema):
    staff_id = fields.Integer(dump_only=True)
    key_version = fields.Integer(required=True, strict=True)
    sealed_tenant_key = sealed_key_field(
        metadata={"description": "The tenant private key sealed to the member's public key"}
    )


class SetupSchema(Schema):
    public_key = public_key_field(metadata={"description": "The tenant's new public key"})
    owner_grant = sealed_key_field()


class RotationGrantSchema(Schema):
    staff_id = fields.Integer(required=True, strict=True)
    sealed_tenant_key = sealed_key_field()


class RotationProfileSchema(Schema):
    client_id = fields.Integer(required=True, strict=True)
    client_key = fields.String(required=True, validate=validate.Length(1, 64))
    sealed_profile = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$")),
        values=fields.String(validate=[validate.Length(1, 12_000), B64]),
        required=True,
    )


class RotationSchema(Schema):
    key_version = fields.Integer(required=True, strict=True)
    public_key = public_key_field()
    grants = fields.List(
        fields.Nested(RotationGrantSchema), required=True, validate=validate.Length(1, 1000)
    )
    profiles = fields.List(
        fields.Nested(RotationProfileSchema), required=True, validate=validate.Length(max=200_000)
    )


ROTATION_MAX_BYTES = 64 * 1024 * 1024  # every client, re-sealed, in one request


class VaultSchema(Schema):
    tenant_id = fields.Integer()
    staff_id = fields.Integer(metadata={"description": "You"})
    public_key = fields.String(allow_none=True)
    key_version = fields.Integer()
    member = fields.Nested(MemberKeySchema, allow_none=True)
    grant = fields.Nested(GrantSchema, allow_none=True)


class MemberSchema(Schema):
    staff_id = fields.Integer(attribute="id")
    display_name = fields.String()
    role = fields.String()
    public_key = fields.String(allow_none=True)
    granted = fields.Boolean()


def me() -> Staff:
    who = principal()
    if who.staff_id is None:
        abort(403, "Vaults belong to people, not to integration keys.", reason="person_required")
    return Staff.get_by_id(who.staff_id)


@blp.route("")
class Vault(MethodView):
    @blp.staff_route("vault:own")
    @blp.response(200, VaultSchema)
    def get(self):
        """Tenant public key, your own wrapped member key and your grant"""
        return vault.view(me(), current_tenant())


@blp.route("/member")
class OwnMemberKey(MethodView):
    @blp.staff_route("vault:own")
    @blp.arguments(MemberKeySchema)
    @blp.response(200, VaultSchema)
    def put(self, data):
        """Enrol your key pair (wrapped on your side); replacing it drops your grants"""
        person = me()
        vault.enrol(person, data["public_key"], data["wrapped_private_key"])
        return vault.view(person, current_tenant())


@blp.route("/setup")
class Setup(MethodView):
    @blp.staff_route("vault:manage")
    @blp.arguments(SetupSchema)
    @blp.response(200, VaultSchema)
    def post(self, data):
        """Store the tenant public key created on the owner's side, with the owner's grant"""
        owner, tenant = me(), current_tenant()
        vault.setup(owner, tenant, data["public_key"], data["owner_grant"])
        return vault.view(owner, current_tenant())


@blp.before_app_request
def _room_for_rotation():
    from flask import request

    if request.endpoint == "vault.Rotate":
        request.max_content_length = ROTATION_MAX_BYTES


@blp.route("/rotate")
class Rotate(MethodView):
    @blp.staff_route("vault:manage")
    @blp.arguments(RotationSchema)
    @blp.response(200, VaultSchema)
    @blp.alt_response(409, description="Stale key version or the client book changed")
    def post(self, data):
        """Replace the tenant key: every profile re-sealed and every grant re-made on your side"""
        owner, tenant = me(), current_tenant()
        vault.rotate(
            owner,
            tenant,
            data["key_version"],
            data["public_key"],
            grants={g["staff_id"]: g["sealed_tenant_key"] for g in data["grants"]},
            profiles={
                p["client_id"]: (p["client_key"], p["sealed_profile"]) for p in data["profiles"]
            },
        )
        return vault.view(owner, current_tenant())


@blp.route("/members")
class Members(MethodView):
    @blp.staff_route("vault:manage")
    @blp.response(200, MemberSchema(many=True))
    def get(self):
        """Team members with their public keys, to seal grants to"""
        tenant = current_tenant()
        keys = {m.staff_id: m.public_key for m in scoped(VaultMember)}
        granted = {
            g.staff_id
            for g in scoped(VaultGrant).where(VaultGrant.key_version == tenant.key_version)
        }
        rows = scoped(Staff).where(Staff.active == True).order_by(Staff.id)
        return [
            {
                "id": s.id,
                "display_name": s.display_name,
                "role": s.role,
                "public_key": keys.get(s.id),
                "granted": s.id in granted,
            }
            for s in rows
        ]


@blp.route("/grants/<id:staff_id>")
class GrantItem(MethodView):
    @blp.staff_route("vault:manage")
    @blp.arguments(GrantSchema)
    @blp.response(200, GrantSchema)
    def put(self, data, staff_id):
        """Grant a member read access: the tenant key sealed to their public key"""
        member = get_or_404(Staff, staff_id, "Team member")
        return vault.grant(
            me(), current_tenant(), member, data["key_version"], data["sealed_tenant_key"]
        )

    @blp.staff_route("vault:manage")
    @blp.response(204)
    def delete(self, staff_id):
        """Revoke: the member's sealed copy of the tenant key is deleted"""
        vault.revoke(get_or_404(Staff, staff_id, "Team member"))
