"""/v1/auth: login, refresh, logout, password change, second factor (TOTP)."""

from flask import request
from flask.views import MethodView
from marshmallow import fields, validate

from hushbook_service.accounts import logins as identity
from hushbook_service.accounts import members
from hushbook_service.accounts.principals import authenticate, principal
from hushbook_service.errors import abort
from hushbook_service.models import Staff
from hushbook_service.resources.extensions import BEARER, Blueprint, Schema

blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description="Staff login and tokens")


class LoginSchema(Schema):
    tenant = fields.String(required=True, validate=validate.Length(1, 63))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(1, 256), load_only=True)
    totp = fields.String(
        validate=validate.Regexp(r"^[0-9]{6}$", error="Six digits."),
        load_only=True,
        metadata={"description": "The current code, if the account has a second factor"},
    )


def _code() -> fields.String:
    return fields.String(
        required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="Six digits."), load_only=True
    )


class TotpSetupSchema(Schema):
    secret = fields.String(metadata={"description": "Base32 secret, shown once"})
    otpauth_uri = fields.String(metadata={"description": "For a QR code in the authenticator"})


class TotpEnableSchema(Schema):
    code = _code()


class TotpDisableSchema(Schema):
    password = fields.String(required=True, validate=validate.Length(1, 256), load_only=True)
    code = _code()


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(1, 4096))


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(1, 256))
    new_password = fields.String(required=True, validate=validate.Length(1, 256))


class TokenPairSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.Constant("Bearer")
    expires_in = fields.Integer(metadata={"description": "Access token lifetime in seconds"})
    password_change_required = fields.Boolean()
    totp_setup_required = fields.Boolean(
        metadata={"description": "The business requires a second factor: set it up first"}
    )


def client_ip() -> str:
    # Behind a proxy, HUSHBOOK_TRUSTED_PROXIES makes this the real client.
    return request.remote_addr or "unknown"


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(401, description="Unknown tenant, e-mail or password; wrong or missing code")
    @blp.alt_response(429, description="Too many failed attempts")
    def post(self, data):
        """Log in with tenant slug, e-mail, password (and TOTP code, if on)"""
        return identity.login(
            data["tenant"], data["email"], data["password"], client_ip(), data.get("totp")
        )


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.arguments(RefreshSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(401, description="Invalid, expired, revoked or reused refresh token")
    def post(self, data):
        """Exchange a refresh token for a new pair (the old one is spent)"""
        return identity.refresh(data["refresh_token"])


@blp.route("/logout")
class Logout(MethodView):
    @blp.arguments(RefreshSchema)
    @blp.response(204)
    def post(self, data):
        """Revoke the refresh token and everything rotated from it"""
        identity.logout(data["refresh_token"])


@blp.route("/logout-everywhere")
class LogoutEverywhere(MethodView):
    @blp.staff_route()
    @blp.response(204)
    def post(self):
        """Sign out everywhere: every access and refresh token of yours stops working"""
        who = principal()
        if who.staff_id is None:
            abort(403, "An integration key is revoked, not signed out.", reason="person_required")
        identity.sign_out_everywhere(_own_account())


@blp.route("/password")
class Password(MethodView):
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(401, description="Current password wrong")
    @blp.alt_response(429, description="Too many failed attempts (shared with login)")
    @blp.doc(security=BEARER)
    def post(self, data):
        """Change your own password (required after a one-time password)"""
        who = authenticate()
        if who.staff_id is None:
            abort(403, "Integration keys have no password.")
        staff = Staff.get_by_id(who.staff_id)
        return identity.change_password(
            staff, data["current_password"], data["new_password"], client_ip()
        )


def _own_account() -> Staff:
    return Staff.get_by_id(principal().staff_id)


class MeSchema(Schema):
    tenant_id = fields.Integer()
    staff_id = fields.Integer(allow_none=True, metadata={"description": "null for a key"})
    role = fields.String(metadata={"description": "A staff role, or 'integration'"})
    display_name = fields.String(allow_none=True)
    permissions = fields.List(
        fields.String(), metadata={"description": "What this token may do (sorted)"}
    )
    password_change_required = fields.Boolean()
    totp_setup_required = fields.Boolean()
    totp_enabled = fields.Boolean(metadata={"description": "Your second factor is on"})
    notify_bookings = fields.Boolean(
        allow_none=True,
        metadata={"description": "You get the booking e-mails (null for a key)"},
    )


class MeUpdateSchema(Schema):
    notify_bookings = fields.Boolean(
        required=True,
        metadata={
            "description": "E-mails about new online bookings, confirmations, cancellations "
            "and moves: your own appointments, or all of them for owner, manager, reception"
        },
    )


@blp.route("/me")
class Me(MethodView):
    @blp.staff_route()
    @blp.response(200, MeSchema)
    def get(self):
        """Who this token is and what it may do (a console shows only what you may use)"""
        return _me()

    @blp.staff_route()
    @blp.arguments(MeUpdateSchema)
    @blp.response(200, MeSchema)
    def patch(self, data):
        """Your own settings: turn the booking e-mails on or off (a team member's own
        switch; an integration key has none)"""
        if principal().staff_id is None:
            abort(403, "An integration key gets no e-mails.")
        members.set_own_notifications(_own_account(), data["notify_bookings"])
        return _me()


def _me() -> dict:
    """GET /v1/auth/me's answer for the caller."""
    who = principal()
    staff = Staff.get_by_id(who.staff_id) if who.staff_id is not None else None
    return {
        "tenant_id": who.tenant_id,
        "staff_id": who.staff_id,
        "role": who.role,
        "display_name": staff.display_name if staff else None,
        "permissions": sorted(who.permissions),
        "password_change_required": who.password_change_required,
        "totp_setup_required": who.totp_setup_required,
        "totp_enabled": bool(staff and staff.totp_enabled),
        "notify_bookings": staff.notify_bookings if staff else None,
    }


@blp.route("/totp/setup")
class TotpSetup(MethodView):
    @blp.staff_route("auth:totp")
    @blp.response(200, TotpSetupSchema)
    @blp.alt_response(409, description="The second factor is already on")
    def post(self):
        """Start setting up your second factor (owners and managers)"""
        secret, uri = identity.setup_totp(_own_account())
        return {"secret": secret, "otpauth_uri": uri}, 200, {"Cache-Control": "no-store"}


@blp.route("/totp/enable")
class TotpEnable(MethodView):
    @blp.staff_route("auth:totp")
    @blp.arguments(TotpEnableSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(409, description="Not set up, or already on")
    @blp.alt_response(429, description="Too many wrong codes")
    def post(self, data):
        """Turn your second factor on with a first code (older tokens stop working)"""
        return identity.enable_totp(_own_account(), data["code"], client_ip())


@blp.route("/totp/disable")
class TotpDisable(MethodView):
    @blp.staff_route("auth:totp")
    @blp.arguments(TotpDisableSchema)
    @blp.response(204)
    @blp.alt_response(409, description="The second factor is not on")
    @blp.alt_response(429, description="Too many failed attempts")
    def post(self, data):
        """Turn your second factor off (password and a current code)"""
        identity.disable_totp(_own_account(), data["password"], data["code"], client_ip())
