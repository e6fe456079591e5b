"""/v1/tenant: the business's own settings."""

import json
import re
from datetime import date
from functools import cache

from babel.core import get_global
from babel.numbers import get_territory_currencies
from flask.views import MethodView
from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates_schema
from peewee import fn

from hushbook_service import audit, stealth
from hushbook_service.accounts.principals import principal
from hushbook_service.accounts.tenancy import current_tenant, get_or_404, scoped
from hushbook_service.db import lock_row, utcnow, write_transaction
from hushbook_service.errors import abort
from hushbook_service.models import Closure, PrivacyNotice, Tenant, bump_tenant_version
from hushbook_service.public import readiness
from hushbook_service.resources.common import LOCALES, Minutes, Name, validate_timezone
from hushbook_service.resources.extensions import Blueprint, QuerySchema, Schema

FIELD_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _field_names(joined: str) -> None:
    names = joined.split()
    if "name" not in names or len(joined) > 200 or not all(map(FIELD_NAME_RE.fullmatch, names)):
        raise ValidationError("A list of field names (a-z, 0-9, _) that includes 'name'.")


StealthSettingsSchema = Schema.from_dict(
    {
        key: fields.Integer(strict=True, validate=validate.Range(*stealth.RANGES[key]))
        for key in stealth.DEFAULTS
    },
    name="StealthSettings",
)


def _reminder_hours(hours: object) -> str:
    if (
        not isinstance(hours, list)
        or len(hours) > 3
        or not all(type(h) is int and 1 <= h <= 168 for h in hours)
    ):
        raise ValidationError("A list of at most 3 whole hours, each 1 to 168.")
    return " ".join(str(h) for h in sorted(set(hours), reverse=True))


def _profile_fields(names: object) -> str:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValidationError("A list of field names (a-z, 0-9, _) that includes 'name'.")
    return " ".join(dict.fromkeys(names))


def _channels(names: object) -> str:
    if not isinstance(names, list) or not all(n in ("email", "sms", "staff") for n in names):
        raise ValidationError("A list of channels: email, sms, staff.")
    return " ".join(dict.fromkeys(names))


@cache
def _currencies() -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere today (CLDR, through Babel)."""
    today = date.today()
    return frozenset(
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, today, tender=True)
    )


def _currency(code: str) -> None:
    if code not in _currencies():
        raise ValidationError("An ISO 4217 currency code in use, e.g. EUR, CHF, GBP.")


def _optional(validator):
    """``validator`` for a non-empty value; "" clears the field."""

    def check(value: str) -> None:
        if value != "":
            validator(value)

    return check


HTTPS_URL = _optional(
    validate.URL(schemes={"https"}, require_tld=True, error="An https:// address.")
)
PROFILE_TEXTS = ("address", "phone", "opening_hours", "description", "imprint_url", "privacy_url")
PHONE_RE = r"^\+?[0-9][0-9 ()./-]{2,38}$"


blp = Blueprint("tenant", __name__, url_prefix="/v1/tenant", description="Business settings")


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    slug = fields.String(dump_only=True)
    name = Name(200)
    timezone = fields.String(validate=validate_timezone)
    locale = fields.String(validate=validate.OneOf(LOCALES))
    slot_granularity_min = fields.Integer(
        strict=True, validate=validate.OneOf([5, 10, 15, 20, 30, 60])
    )
    min_notice_min = Minutes(0, 14 * 24 * 60)
    max_advance_days = Minutes(1, 365)
    buffer_before_min = Minutes(0, 240)
    buffer_after_min = Minutes(0, 240)
    stealth_mode = fields.Boolean()
    show_staff_names = fields.Boolean(
        metadata={
            "description": "Public offers name the team member (costs privacy: docs/stealth.md)"
        }
    )
    stealth_settings = fields.Function(
        stealth.settings_of,
        deserialize=lambda value: StealthSettingsSchema().load(value),
        metadata={
            "description": "Stealth-mode knobs (budgets, offers per ask, pending expiry…); "
            "a PATCH changes only the keys it names. See docs/stealth.md"
        },
    )
    require_totp = fields.Boolean(
        metadata={"description": "Owners and managers must use a second factor (owner only)"}
    )
    profile_fields = fields.Function(
        lambda t: t.profile_fields.split(),
        deserialize=lambda names: _profile_fields(names),
        metadata={
            "description": "Client fields the salon collects (data-minimal: "
            "name, email, phone by default; birthday, notes and own fields opt-in)"
        },
        validate=_field_names,
    )
    retention_months = fields.Integer(
        strict=True,
        validate=validate.Range(1, 120),
        metadata={"description": "Erase clients inactive this long (default 24)"},
    )
    phone_country_code = fields.String(
        validate=validate.Regexp(r"^[1-9][0-9]{0,3}$"),
        metadata={"description": "Country code for national phone numbers (49, 43, 41 …)"},
    )
    reminder_hours = fields.Function(
        lambda t: [int(h) for h in t.reminder_hours.split()],
        deserialize=lambda hours: _reminder_hours(hours),
        metadata={
            "description": "Reminders, in hours before the appointment (default [24, 2]; "
            "at most 3, each 1-168; [] for none)"
        },
    )
    message_channels = fields.Function(
        lambda t: t.message_channels.split(),
        deserialize=lambda names: _channels(names),
        metadata={
            "description": "Channels: email and sms to clients, staff (ask the team member "
            "to mark the outcome after the end); default all three"
        },
    )
    regular_after_visits = fields.Integer(strict=True, validate=validate.Range(1, 1000))
    vip_after_spent_cents = fields.Integer(strict=True, validate=validate.Range(0, 10**9))
    # The salon's public profile: /book/{slug}, the confirmation and manage pages.
    address = fields.String(
        validate=validate.Length(max=300),
        metadata={"description": "Postal address, shown to customers (line breaks kept)"},
    )
    phone = fields.String(
        validate=_optional(validate.Regexp(PHONE_RE, error="A phone number: digits, +, ( ) / . -")),
        metadata={"description": "The number customers call (shown with 'please call us')"},
    )
    opening_hours = fields.String(
        validate=validate.Length(max=1000),
        metadata={"description": "Opening hours as text, e.g. 'Tue-Fri 9-18, Sat 9-14'"},
    )
    description = fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "A few sentences about the salon (the page's meta description)"},
    )
    accent_colour = fields.String(
        validate=_optional(validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="A colour as #rrggbb.")),
        metadata={"description": "#rrggbb for buttons on the booking page; '' for the default"},
    )
    imprint_url = fields.String(
        validate=[validate.Length(max=500), HTTPS_URL],
        metadata={"description": "The salon's imprint (https only; '' for none)"},
    )
    privacy_url = fields.String(
        validate=[validate.Length(max=500), HTTPS_URL],
        metadata={"description": "The salon's privacy policy (https only; '' for none)"},
    )
    currency = fields.String(
        validate=_currency,
        metadata={
            "description": "ISO 4217 code of every price (default EUR); `price_cents` "
            "are hundredths of it"
        },
    )
    manage_deadline_hours = fields.Integer(
        strict=True,
        validate=validate.Range(0, 336),
        metadata={
            "description": "Customers cancel or move online until this many hours before "
            "the start (default 24; 0: until the start); after it they are asked to call"
        },
    )

    @pre_load
    def _tidy(self, data, **_):
        """Public texts trimmed; the colour in lower case."""
        if isinstance(data, dict):
            data = dict(data)
            for key in PROFILE_TEXTS:
                if isinstance(data.get(key), str):
                    data[key] = data[key].strip()
            if isinstance(data.get("accent_colour"), str):
                data["accent_colour"] = data["accent_colour"].strip().lower()
            if isinstance(data.get("currency"), str):
                data["currency"] = data["currency"].strip().upper()
        return data


@blp.route("")
class TenantResource(MethodView):
    @blp.staff_route("tenant:read")
    @blp.etag
    @blp.response(200, TenantSchema)
    def get(self):
        """Read the business settings"""
        return current_tenant()

    @blp.staff_route("tenant:write")
    @blp.etag
    @blp.arguments(TenantSchema(partial=True))
    @blp.response(200, TenantSchema)
    def patch(self, data):
        """Change business settings (If-Match required)"""
        if "require_totp" in data and not principal().can("tenant:security"):
            abort(403, "Only an owner may change require_totp.")
        tenant = current_tenant()
        blp.check_etag(tenant, TenantSchema)
        if "stealth_settings" in data:  # merge: keep the overrides not named
            stored = json.loads(tenant.stealth_settings or "{}") | data.pop("stealth_settings")
            tenant.stealth_settings = json.dumps(stored, sort_keys=True)
            data["stealth_settings"] = stored
        for key, value in data.items():
            if key != "stealth_settings":
                setattr(tenant, key, value)
        tenant.updated_at = utcnow()
        with write_transaction():
            bump_tenant_version(tenant.id)
            tenant.save()
            audit.record(tenant.id, "tenant.update", "tenant", tenant.id, fields=sorted(data))
        return tenant


class PrivacyNoticeSchema(Schema):
    version = fields.Integer(dump_only=True)
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    text = fields.String(required=True, validate=validate.Length(20, 50_000))
    created_at = fields.AwareDateTime(dump_only=True)


@blp.route("/privacy-notices")
class PrivacyNotices(MethodView):
    @blp.staff_route("tenant:read")
    @blp.response(200, PrivacyNoticeSchema(many=True))
    def get(self):
        """Privacy notice versions (consents refer to a version and language)"""
        return scoped(PrivacyNotice).order_by(PrivacyNotice.version, PrivacyNotice.locale)

    @blp.staff_route("tenant:write")
    @blp.arguments(PrivacyNoticeSchema)
    @blp.response(201, PrivacyNoticeSchema)
    def post(self, data):
        """Publish a new notice text for a language (a new version; old ones stay)"""
        tenant = current_tenant()
        with write_transaction():
            lock_row(Tenant, tenant.id)
            bump_tenant_version(tenant.id)
            latest = (
                scoped(PrivacyNotice, fn.MAX(PrivacyNotice.version))
                .where(PrivacyNotice.locale == data["locale"])
                .scalar()
            )
            notice = PrivacyNotice.create(tenant=tenant.id, version=(latest or 0) + 1, **data)
            audit.record(
                tenant.id,
                "tenant.privacy_notice",
                "tenant",
                tenant.id,
                version=notice.version,
                locale=notice.locale,
            )
        return notice


# --- closures: the whole salon closed --------------------------------------------------

MAX_CLOSURE_DAYS = 366


class ClosureSchema(Schema):
    id = fields.Integer(dump_only=True)
    date_from = fields.Date(required=True, metadata={"description": "First closed day (local)"})
    date_to = fields.Date(
        required=True,
        metadata={"description": "Last closed day, inclusive (at most 366 days in all)"},
    )
    label = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "E.g. 'Christmas holidays'; empty: none"},
    )
    created_at = fields.AwareDateTime(dump_only=True)

    @validates_schema
    def _span(self, data, **_):
        if data["date_to"] < data["date_from"]:
            raise ValidationError("Must not be before date_from.", "date_to")
        if (data["date_to"] - data["date_from"]).days + 1 > MAX_CLOSURE_DAYS:
            raise ValidationError(f"A closure spans at most {MAX_CLOSURE_DAYS} days.", "date_to")

    @post_load
    def _blank_label(self, data, **_):
        data["label"] = (data["label"] or "").strip() or None
        return data


class ClosureQuery(QuerySchema):
    date_from = fields.Date(
        data_key="from", metadata={"description": "Closures that end on or after this day"}
    )
    date_to = fields.Date(
        data_key="to", metadata={"description": "Closures that begin on or before this day"}
    )


@blp.route("/closures")
class Closures(MethodView):
    @blp.staff_route("schedules:read")
    @blp.arguments(ClosureQuery, location="query")
    @blp.response(200, ClosureSchema(many=True))
    def get(self, query):
        """Days the whole salon is closed (holidays), ordered by date_from"""
        rows = scoped(Closure)
        if "date_from" in query:
            rows = rows.where(Closure.date_to >= query["date_from"])
        if "date_to" in query:
            rows = rows.where(Closure.date_from <= query["date_to"])
        return rows.order_by(Closure.date_from, Closure.id)

    @blp.staff_route("schedules:write")
    @blp.arguments(ClosureSchema)
    @blp.response(201, ClosureSchema)
    def post(self, data):
        """Close the whole salon on some days (holidays)

        Whole local days, both dates inclusive, at most 366 days. Nobody can be
        booked then, online or by staff: like time off for every team member
        (``allow_outside_hours`` overrides it for a staff booking, as for time off)."""
        tenant = current_tenant()
        with write_transaction():
            bump_tenant_version(tenant.id)
            closure = Closure.create(tenant=tenant.id, **data)
            audit.record(
                tenant.id,
                "closure.create",
                "closure",
                closure.id,
                date_from=closure.date_from.isoformat(),
                date_to=closure.date_to.isoformat(),
            )
        return closure


@blp.route("/closures/<id:closure_id>")
class ClosureItem(MethodView):
    @blp.staff_route("schedules:read")
    @blp.response(200, ClosureSchema)
    @blp.alt_response(404, description="No such closure in this business")
    def get(self, closure_id):
        """Read one closure"""
        return get_or_404(Closure, closure_id, "Closure")

    @blp.staff_route("schedules:write")
    @blp.response(204)
    @blp.alt_response(404, description="No such closure in this business")
    def delete(self, closure_id):
        """Open again: remove a closure"""
        closure = get_or_404(Closure, closure_id, "Closure")
        with write_transaction():
            bump_tenant_version(closure.tenant_id)
            closure.delete_instance()
            audit.record(closure.tenant_id, "closure.delete", "closure", closure.id)


# --- readiness: can customers book online? ----------------------------------------------


class ReadinessCheckSchema(Schema):
    id = fields.String(
        metadata={
            "description": "vault (the business key exists), service (an active service "
            "an active team member performs), bookable_person (an active bookable member "
            "performs an active service), hours (such a member has working hours), "
            "privacy_notice (one is published), stealth (stealth mode on)"
        }
    )
    ok = fields.Boolean()
    blocking = fields.Boolean(
        metadata={"description": "False: a recommendation, online booking works without it"}
    )


class ReadinessSchema(Schema):
    bookable_online = fields.Boolean(metadata={"description": "Every blocking check is ok"})
    checks = fields.List(fields.Nested(ReadinessCheckSchema))


@blp.route("/readiness")
class Readiness(MethodView):
    @blp.staff_route("tenant:read")
    @blp.response(200, ReadinessSchema)
    def get(self):
        """Can customers book online? The set-up checklist

        ``bookable_online`` is true when every blocking check is ok. The public
        catalog offers exactly the services these checks call bookable."""
        return readiness.readiness(current_tenant())
