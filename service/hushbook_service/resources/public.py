"""/v1/public: the booking flow for anyone, without a login (docs/stealth.md).

No route here lists free or busy times. The rules live in
the modules of :mod:`hushbook_service.public`; this module validates and answers.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView
from marshmallow import ValidationError, fields, validate, validates_schema
from werkzeug.exceptions import HTTPException

from hushbook_service.db import utcnow
from hushbook_service.errors import DomainError
from hushbook_service.messaging import links, texts
from hushbook_service.models import Tenant
from hushbook_service.public import asks, bookings, catalog, visitors
from hushbook_service.resources.clients import (
    ConsentSchema,
    ContactsSchema,
    KeyVersion,
    SealedProfile,
)
from hushbook_service.resources.common import LOCALES
from hushbook_service.resources.extensions import Blueprint, Schema
from hushbook_service.resources.pages import confirm_page, manage_page, wants_html
from hushbook_service.scheduling.offers import PARTS

blp = Blueprint(
    "public",
    __name__,
    url_prefix="/v1/public",
    description="Public booking: a wish in, a few signed offers out (no login; metered)",
)
TOKEN = validate.Length(1, 4096)
PUBLIC: dict[str, list] = {"security": []}


# --- schemas ----------------------------------------------------------------------------


class PowSchema(Schema):
    challenge = fields.String(required=True, validate=TOKEN)
    nonce = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z_-]{1,64}$"))


class ChallengeRequestSchema(Schema):
    session = fields.String(
        validate=TOKEN,
        metadata={"description": "Your visitor session; omit it on the first call to get one"},
    )


class ChallengeSchema(Schema):
    session = fields.String()
    challenge = fields.String(
        metadata={
            "description": "Find a nonce: SHA-256(challenge_id + ':' + nonce) "
            "with `bits` leading zero bits"
        }
    )
    challenge_id = fields.String(metadata={"description": "The challenge's jti: what you hash"})
    bits = fields.Integer()
    expires_at = fields.AwareDateTime()
    required = fields.Boolean(metadata={"description": "False when stealth mode is off"})


class WishFields(Schema):
    staff_id = fields.Integer(
        strict=True, metadata={"description": "Only when the business shows staff names"}
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date(
        required=True, metadata={"description": "At most 14 days after date_from"}
    )
    weekdays = fields.List(
        fields.Integer(strict=True, validate=validate.Range(0, 6)),
        validate=validate.Length(1, 7),
        metadata={"description": "0 = Monday; omitted: any day"},
    )
    parts = fields.List(
        fields.String(validate=validate.OneOf(PARTS)),
        validate=validate.Length(1, 3),
        metadata={"description": "morning (before 12), afternoon (12-17), evening"},
    )
    time_from = fields.Time(metadata={"description": "Or a time range (local, HH:MM)"})
    time_to = fields.Time()

    @validates_schema
    def _consistent(self, data, **_):
        if ("time_from" in data) != ("time_to" in data):
            raise ValidationError("Give time_from and time_to together.", "time_to")
        if "time_from" in data and data["time_from"] >= data["time_to"]:
            raise ValidationError("time_to must be after time_from.", "time_to")
        if data["date_to"] < data["date_from"]:
            raise ValidationError("date_to must not be before date_from.", "date_to")
        if (data["date_to"] - data["date_from"]).days >= 14:
            raise ValidationError("The window may span at most 14 days.", "date_to")


class OfferRequestSchema(WishFields):
    session = fields.String(required=True, validate=TOKEN)
    pow = fields.Nested(PowSchema, metadata={"description": "Required in stealth mode"})
    service_id = fields.Integer(required=True, strict=True)


class StaffRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class OfferSchema(Schema):
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    fits_wish = fields.Boolean(metadata={"description": "False: an alternative near the wish"})
    staff = fields.Nested(
        StaffRefSchema,
        metadata={
            "description": "Only if names are shown and the date's disclosure budget "
            "(disclosure_share_pct) still allows a name"
        },
    )
    token = fields.String(metadata={"description": "Book with this (single use, this session)"})
    expires_at = fields.AwareDateTime()


class OffersSchema(Schema):
    service_id = fields.Integer()
    offers = fields.List(fields.Nested(OfferSchema))


class PublicProfileSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    birthday = fields.Date()
    notes = fields.String(validate=validate.Length(max=2000))


class BookingRequestSchema(Schema):
    session = fields.String(required=True, validate=TOKEN)
    pow = fields.Nested(PowSchema, metadata={"description": "Required in stealth mode"})
    offer = fields.String(required=True, validate=TOKEN)
    profile = fields.Nested(
        PublicProfileSchema, metadata={"description": "Plain; sealed on arrival. Or sealed_profile"}
    )
    sealed_profile = SealedProfile("Sealed in the browser to the tenant key (catalog)")
    client_key = fields.String(validate=validate.Length(16, 64))
    key_version = KeyVersion()
    contact = fields.Nested(
        ContactsSchema,
        required=True,
        metadata={"description": "Where the confirmation goes (e-mail or phone)"},
    )
    consent = fields.Nested(ConsentSchema, required=True)
    channel = fields.String(
        validate=validate.OneOf(["email", "sms"]),
        metadata={
            "description": "Where messages go when both e-mail and phone are given (the "
            "other only if this one fails for good); default email"
        },
    )
    locale = fields.String(
        validate=validate.Regexp(r"^[a-z]{2,3}$"),
        metadata={
            "description": f"The customer's language for messages and pages ({', '.join(LOCALES)}; "
            "another one, or none: the consent's locale)"
        },
    )
    website = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Leave empty (a field people never see)"},
    )

    @validates_schema
    def _forms(self, data, **_):
        if ("profile" in data) == ("sealed_profile" in data):
            raise ValidationError("Give profile or sealed_profile.", "profile")
        if ("sealed_profile" in data) != ("client_key" in data):
            raise ValidationError("A sealed profile comes with its client_key.", "client_key")
        if not data.get("contact"):
            raise ValidationError("An e-mail address or a phone number is needed.", "contact")


class BookingSchema(Schema):
    status = fields.String()
    booking = fields.String(
        metadata={"description": "Reference to confirm with the code (opaque: it reveals no count)"}
    )
    confirm_by = fields.AwareDateTime()
    start = fields.AwareDateTime(allow_none=True)
    end = fields.AwareDateTime(allow_none=True)


class ConfirmRequestSchema(Schema):
    token = fields.String(validate=TOKEN, metadata={"description": "From the confirmation link"})
    booking = fields.String(validate=TOKEN)
    code = fields.String(validate=validate.Regexp(r"^[0-9]{6}$"))

    @validates_schema
    def _one_way(self, data, **_):
        if ("token" in data) == ("booking" in data or "code" in data):
            raise ValidationError("Give token, or booking and code.", "token")
        if "booking" in data and "code" not in data:
            raise ValidationError("The code is missing.", "code")
        if "code" in data and "booking" not in data:
            raise ValidationError("The booking reference is missing.", "booking")


class ManagedSchema(Schema):
    business = fields.String()
    slug = fields.String(metadata={"description": "The salon's booking page: /book/{slug}"})
    service = fields.String()
    staff = fields.String(allow_none=True)
    status = fields.String()
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    timezone = fields.String(metadata={"description": "The salon's time zone"})
    address = fields.String()
    phone = fields.String(metadata={"description": "Call this after changes_until"})
    changes_until = fields.AwareDateTime(
        metadata={"description": "Cancel or move online until then (the salon's deadline)"}
    )
    can_cancel = fields.Boolean(metadata={"description": "Now, online"})
    can_reschedule = fields.Boolean(metadata={"description": "Now, online"})


class ConfirmedSchema(ManagedSchema):
    manage_token = fields.String(metadata={"description": "For /v1/public/manage/{token}"})


class RescheduleRequestSchema(Schema):
    offer = fields.String(required=True, validate=TOKEN)


class CatalogServiceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    duration_min = fields.Integer()
    price_cents = fields.Integer()
    staff_ids = fields.List(fields.Integer(), metadata={"description": "Only if names are shown"})


class NoticeSchema(Schema):
    version = fields.Integer()
    locale = fields.String()
    text = fields.String()


class CatalogSchema(Schema):
    tenant_id = fields.Integer(metadata={"description": "What sealed fields are bound to"})
    name = fields.String()
    slug = fields.String()
    locale = fields.String()
    timezone = fields.String()
    currency = fields.String(metadata={"description": "ISO 4217 code of price_cents"})
    description = fields.String(metadata={"description": "About the salon ('' if none)"})
    address = fields.String()
    phone = fields.String()
    opening_hours = fields.String()
    accent_colour = fields.String(metadata={"description": "#rrggbb, or '' for none"})
    imprint_url = fields.String()
    privacy_url = fields.String()
    stealth_mode = fields.Boolean()
    offer_count = fields.Integer()
    max_window_days = fields.Integer()
    services = fields.List(fields.Nested(CatalogServiceSchema))
    staff = fields.List(fields.Nested(StaffRefSchema), metadata={"description": "If shown"})
    privacy_notices = fields.List(fields.Nested(NoticeSchema))
    profile_fields = fields.List(fields.String())
    public_key = fields.String(allow_none=True, metadata={"description": "Seal profiles to this"})
    key_version = fields.Integer()


# --- routes -----------------------------------------------------------------------------


def _render_catalog(data: dict) -> bytes:
    return current_app.json.dumps(CatalogSchema().dump(data)).encode()


@blp.route("/<slug>/catalog")
class Catalog(MethodView):
    @blp.doc(**PUBLIC, parameters=["IF_NONE_MATCH"])
    @blp.response(
        200,
        CatalogSchema,
        headers={
            "ETag": {
                "description": "A strong tag of this catalog; it changes with every change",
                "schema": {"type": "string"},
            },
            "Cache-Control": {
                "description": f"`{catalog.CACHE_CONTROL}`: no personal data in here",
                "schema": {"type": "string"},
            },
        },
    )
    @blp.alt_response(304, description="Not Modified: the catalog If-None-Match names")
    def get(self, slug):
        """What can be booked: services (staff names only if the business shows them)

        Send the ``ETag`` back as ``If-None-Match``: an unchanged catalog answers
        ``304 Not Modified`` without a body."""
        entry = catalog.rendered(slug, _render_catalog)
        headers = {"ETag": f'"{entry.etag}"', "Cache-Control": catalog.CACHE_CONTROL}
        if request.if_none_match.contains_weak(entry.etag):
            return Response(status=304, headers=headers)
        return Response(entry.body, mimetype="application/json", headers=headers)


@blp.route("/<slug>/challenge")
class Challenge(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(ChallengeRequestSchema)
    @blp.response(200, ChallengeSchema)
    @blp.alt_response(429, description="Past a budget (Retry-After)")
    def post(self, data, slug):
        """A visitor session (if none given) and a proof-of-work puzzle for the next ask"""
        tenant = visitors.tenant_by_slug(slug)
        session = data.get("session") or visitors.new_session(tenant)
        who = visitors.visitor(tenant, session)
        if not tenant.stealth_mode:
            return {"session": session, "required": False}
        answer = visitors.issue_challenge(tenant, who)
        answer["challenge_id"] = visitors.challenge_id(answer["challenge"])
        return {**answer, "session": session, "required": True}


@blp.route("/<slug>/offers")
class Offers(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(OfferRequestSchema)
    @blp.response(200, OffersSchema)
    @blp.alt_response(429, description="Past a budget (Retry-After)")
    def post(self, data, slug):
        """At most k offers for a wish (never a list of free times)"""
        tenant = visitors.tenant_by_slug(slug)
        who = visitors.visitor(tenant, data["session"])
        who = visitors.pay(tenant, who, data.get("pow"))
        return asks.make_offers(tenant, who, data)


@blp.route("/<slug>/bookings")
class Bookings(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(BookingRequestSchema)
    @blp.response(202, BookingSchema)
    @blp.alt_response(409, description="Offer already used, or the time was taken meanwhile")
    @blp.alt_response(
        429,
        description="Past a budget (rate_limited), too many unconfirmed bookings of this "
        "requester (too_many_pending) or of that day (pending_day_full)",
    )
    def post(self, data, slug):
        """Book an offer: pending until the customer confirms (link or code sent to them)"""
        tenant = visitors.tenant_by_slug(slug)
        who = visitors.visitor(tenant, data["session"])
        visitors.pay(tenant, who, data.get("pow"))
        return bookings.book(tenant, who, data)


def _managed(appointment) -> dict:
    tenant = Tenant.get_by_id(appointment.tenant_id)
    until = bookings.changes_until(appointment, tenant)
    live = appointment.status in ("pending", "confirmed") and utcnow() < until
    return {
        "business": tenant.name,
        "slug": tenant.slug,
        "service": appointment.service.name,
        "staff": appointment.staff.shown_name if tenant.show_staff_names else None,
        "status": appointment.status,
        "start": appointment.start_at,
        "end": appointment.end_at,
        "timezone": tenant.timezone,
        "address": tenant.address,
        "phone": tenant.phone,
        "changes_until": until,
        "can_cancel": live,
        "can_reschedule": live and appointment.status == "confirmed",
    }


@blp.route("/bookings/confirm")
class Confirm(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(ConfirmRequestSchema)
    @blp.response(200, ConfirmedSchema)
    @blp.alt_response(409, description="Expired (reason: booking_expired)")
    def post(self, data):
        """Confirm a pending booking (double opt-in) by the link's token or the code"""
        if "token" in data:
            appointment = bookings.confirm_by_link(data["token"])
        else:
            appointment = bookings.confirm_by_code(data["booking"], data["code"])
        return {**_managed(appointment), "manage_token": links.manage_token(appointment)}


class ManagePageQuery(Schema):
    lang = fields.String(validate=validate.OneOf(("de", "en")), metadata={"description": "Page"})
    step = fields.String(
        validate=validate.OneOf(("cancel",)),
        metadata={"description": "Page: `cancel` asks whether to cancel (changes nothing)"},
    )
    done = fields.String(
        validate=validate.OneOf(("moved",)), metadata={"description": "Page: say it was moved"}
    )


@blp.route("/manage/<token>")
class Manage(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(ManagePageQuery, location="query")
    @blp.response(200, ManagedSchema)
    def get(self, query, token):
        """View a booking (a GET never changes anything: mail scanners follow links)

        Browsers (``Accept: text/html``) get the manage page: the appointment,
        moving it (offers under this link), cancelling it (``?step=cancel`` asks
        first), or the salon's phone once its deadline has passed."""
        appointment = bookings.managed(token)
        if wants_html():
            return manage_page(
                appointment,
                _managed(appointment),
                token,
                "moved" if query.get("done") == "moved" else None,
                step=query.get("step"),
            )
        return _managed(appointment)


class CancelFormSchema(Schema):
    confirm = fields.String(
        validate=validate.OneOf(("yes",)),
        metadata={"description": "The page's form: `yes` cancels, without it the page asks"},
    )
    lang = fields.String(validate=validate.OneOf(("de", "en")))


@blp.route("/manage/<token>/cancel")
class ManageCancel(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(CancelFormSchema, location="form")
    @blp.response(200, ManagedSchema)
    @blp.alt_response(409, description="Too late (reason manage_deadline), or already cancelled")
    def post(self, form, token):
        """Cancel the booking (frees the time); the page's form gets a page back

        The form must say ``confirm=yes`` (the page asks first); a JSON call
        cancels at once."""
        appointment = bookings.managed(token)
        visitors.meter(
            Tenant.get_by_id(appointment.tenant_id),
            bookings.manage_visitor(appointment),
            salon=False,
        )
        if not wants_html():
            return _managed(bookings.cancel(appointment))
        if form.get("confirm") != "yes":  # asked, not yet answered: ask (again)
            return manage_page(appointment, _managed(appointment), token, step="cancel")
        try:
            bookings.cancel(appointment)
        except (HTTPException, DomainError) as exc:
            if exc.code >= 500:
                raise
            return manage_page(appointment, _managed(appointment), token, "cannot", 409)
        return manage_page(appointment, _managed(appointment), token, "cancelled")


class RemindersSchema(Schema):
    reminders = fields.Boolean(
        required=True, metadata={"description": "false: no more reminders; true: send them"}
    )


@blp.route("/manage/<token>/reminders")
class ManageReminders(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(RemindersSchema)
    @blp.response(200, RemindersSchema)
    @blp.alt_response(409, description="No consent on record (reason: no_consent)")
    def post(self, data, token):
        """Turn reminders off (or on again): the customer's consent to reminders,
        withdrawn or given; reminders already planned are revoked (or planned) at once"""
        appointment = bookings.managed(token)
        visitors.meter(
            Tenant.get_by_id(appointment.tenant_id),
            bookings.manage_visitor(appointment),
            salon=False,
        )
        return {"reminders": bookings.set_reminders(appointment, data["reminders"])}


class ManageWishSchema(WishFields):
    pow = fields.Nested(
        PowSchema,
        metadata={"description": "Required in stealth mode (POST …/manage/{token}/challenge)"},
    )


class ManageChallengeSchema(Schema):
    challenge = fields.String()
    challenge_id = fields.String(metadata={"description": "The challenge's jti: what you hash"})
    bits = fields.Integer()
    expires_at = fields.AwareDateTime()
    required = fields.Boolean(metadata={"description": "False when stealth mode is off"})


@blp.route("/manage/<token>/challenge")
class ManageChallenge(MethodView):
    @blp.doc(**PUBLIC)
    @blp.response(200, ManageChallengeSchema)
    @blp.alt_response(429, description="Past a budget (Retry-After)")
    def post(self, token):
        """A proof-of-work puzzle for the next ask for offers under this manage link"""
        appointment = bookings.managed(token)
        tenant = Tenant.get_by_id(appointment.tenant_id)
        if not tenant.stealth_mode:
            return {"required": False}
        answer = visitors.issue_challenge(tenant, bookings.manage_visitor(appointment))
        answer["challenge_id"] = visitors.challenge_id(answer["challenge"])
        return {**answer, "required": True}


@blp.route("/manage/<token>/offers")
class ManageOffers(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(ManageWishSchema)
    @blp.response(200, OffersSchema)
    @blp.alt_response(409, description="Not confirmed, or past the deadline (manage_deadline)")
    @blp.alt_response(429, description="Past a budget (Retry-After)")
    def post(self, data, token):
        """New offers to move this booking to (same service)"""
        appointment = bookings.managed(token)
        bookings.require_movable(appointment)
        tenant = Tenant.get_by_id(appointment.tenant_id)
        who = bookings.manage_visitor(appointment)
        # paid like any ask (proof-of-work), but not from the salon's daily budget
        who = visitors.pay(tenant, who, data.get("pow"), salon=False)
        return asks.make_offers(tenant, who, {**data, "service_id": appointment.service_id})


@blp.route("/manage/<token>/reschedule")
class ManageReschedule(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(RescheduleRequestSchema)
    @blp.response(200, ConfirmedSchema)
    @blp.alt_response(409, description="Offer used, time taken, too late (manage_deadline)")
    def post(self, data, token):
        """Move the booking to one of the offers asked for under this link; the answer
        carries a new manage token (the old one expires at the old start)"""
        appointment = bookings.managed(token)
        who = bookings.manage_visitor(appointment)
        visitors.meter(Tenant.get_by_id(appointment.tenant_id), who, salon=False)
        moved = bookings.reschedule(appointment, who, data["offer"])
        return {**_managed(moved), "manage_token": links.manage_token(moved)}


@blp.route("/manage/<token>/calendar.ics")
class ManageCalendar(MethodView):
    @blp.doc(
        **PUBLIC,
        responses={"200": {"description": "text/calendar (RFC 5545), as an attachment"}},
    )
    def get(self, token):
        """The appointment as a calendar file ("add to calendar")"""
        appointment = bookings.managed(token)
        return Response(
            texts.calendar_file(appointment),
            200,
            {
                "Content-Disposition": 'attachment; filename="appointment.ics"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
            content_type="text/calendar; charset=utf-8",
        )


# --- pages for links in messages (a GET shows, only a POST changes) ----------------------


def _to_confirm(token: str):
    """The appointment a confirmation link is for, or None (any refusal)."""
    try:
        return bookings.to_confirm(token)
    except (HTTPException, DomainError) as exc:
        if (exc.code or 500) >= 500:
            raise
        return None


@blp.route("/bookings/confirm/<token>")
class ConfirmPage(MethodView):
    @blp.doc(**PUBLIC)
    @blp.response(200, description="An HTML page with a button (the link in the message)")
    def get(self, token):
        """The confirmation link: shows the appointment and a button; confirming takes a POST"""
        appointment = _to_confirm(token)
        if appointment is None or appointment.status not in ("pending", "confirmed"):
            return confirm_page(token, None, None, "failed", 409)
        if appointment.status == "confirmed":  # opened again: what is confirmed, no button
            return confirm_page(token, appointment, _managed(appointment), "confirmed")
        return confirm_page(token, appointment, _managed(appointment))

    @blp.doc(**PUBLIC)
    @blp.response(200, description="An HTML page saying whether it worked")
    def post(self, token):
        """The button on the confirmation page: the appointment, a calendar file and
        the manage link"""
        try:
            appointment = bookings.confirm_by_link(token)
        except (HTTPException, DomainError) as exc:  # any refusal: one friendly page
            if exc.code >= 500:
                raise
            return confirm_page(token, None, None, "failed", 409)
        return confirm_page(token, appointment, _managed(appointment), "confirmed")
