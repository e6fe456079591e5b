"""/v1/appointments: the team's bookings, visible by role."""

from __future__ import annotations

import hashlib
import json
from zoneinfo import ZoneInfo

from flask import Response, current_app, request
from flask.views import MethodView
from marshmallow import ValidationError, fields, validate, validates_schema
from peewee import JOIN, SQL, fn

from hushbook_service import audit
from hushbook_service.accounts.principals import principal
from hushbook_service.accounts.tenancy import current_tenant, get_or_404, scoped
from hushbook_service.db import prepared_rows, write_transaction
from hushbook_service.errors import abort, field_error
from hushbook_service.messaging import ledger as messages
from hushbook_service.models import (
    APPOINTMENT_STATES,
    Appointment,
    Client,
    Service,
    Staff,
    Tenant,
)
from hushbook_service.privacy import clientbook, clients, delivery
from hushbook_service.privacy import profiles as client_profiles
from hushbook_service.public import probes
from hushbook_service.resources.clients import (
    ClientSchema,
    ClientWriteSchema,
    ContactsSchema,
)
from hushbook_service.resources.common import PageQuery, local_to_utc
from hushbook_service.resources.extensions import Blueprint, Schema
from hushbook_service.scheduling import booking

blp = Blueprint("appointments", __name__, url_prefix="/v1/appointments", description="Appointments")


class AppointmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    staff_id = fields.Integer(dump_only=True)
    service_id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    source = fields.String(dump_only=True)
    start = fields.AwareDateTime(attribute="start_at", dump_only=True)
    end = fields.AwareDateTime(attribute="end_at", dump_only=True)
    price_cents = fields.Integer(dump_only=True)
    client_id = fields.Integer(dump_only=True, allow_none=True)
    client = fields.Method(
        "_client",
        dump_only=True,
        allow_none=True,
        metadata={"description": "The client's details; absent for roles that may not see them"},
    )
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)

    def _client(self, appointment):
        if appointment.client_id is None or not principal().can("clients:identity"):
            return None
        return ClientSchema().dump(appointment.client)


class AppointmentCreateSchema(Schema):
    service_id = fields.Integer(required=True, strict=True)
    staff_id = fields.Integer(required=True, strict=True)
    start = fields.DateTime(
        required=True,
        metadata={"description": "ISO 8601; without an offset it is read in the tenant's zone"},
    )
    source = fields.String(
        load_default="phone", validate=validate.OneOf(["phone", "walk_in", "staff"])
    )
    client_id = fields.Integer(strict=True)
    client = fields.Nested(ClientWriteSchema, metadata={"description": "A new client"})
    allow_outside_hours = fields.Boolean(load_default=False)
    notify = fields.Nested(
        ContactsSchema,
        load_only=True,
        metadata={
            "description": "Where to send confirmations and reminders: sealed to the "
            "month's delivery key, shredded after the appointment"
        },
    )

    @validates_schema
    def _one_client(self, data, **_):
        if "client_id" in data and "client" in data:
            raise ValidationError("Give client_id or client, not both.", "client")


class AppointmentMoveSchema(Schema):
    start = fields.DateTime()
    staff_id = fields.Integer(strict=True)
    allow_outside_hours = fields.Boolean(load_default=False)


class AppointmentQuery(PageQuery):
    date_from = fields.DateTime(data_key="from")
    date_to = fields.DateTime(data_key="to")
    staff_id = fields.Integer()
    client_id = fields.Integer(
        metadata={"description": "One client's appointments (needs clients:read)"}
    )
    status = fields.String(validate=validate.OneOf(APPOINTMENT_STATES))


def _start_utc(value, tenant):
    return local_to_utc(value, "start", ZoneInfo(tenant.timezone))


def _iso(value):
    return None if value is None else value.isoformat()


# The columns a page shows (fewer to build into SQL and to read back).
LISTED = (
    Appointment.id,
    Appointment.staff,
    Appointment.service,
    Appointment.status,
    Appointment.source,
    Appointment.start_at,
    Appointment.end_at,
    Appointment.price_cents,
    Appointment.client,
    Appointment.created_at,
    Appointment.updated_at,
    Client.id,
    Client.client_key,
    Client.profile,
    Client.first_visit,
    Client.last_visit,
    Client.visits,
    Client.no_shows,
    Client.total_spent_cents,
    Client.category,
    Client.birthday_month,
    Client.created_at,
)


# Where each listed column lands in a row (the total follows the last). Keyed by
# name: peewee's fields compare into SQL expressions, not booleans.
_AT = {(f.model.__name__, f.name): i for i, f in enumerate(LISTED)}
_A_COL = {name: i for (model, name), i in _AT.items() if model == "Appointment"}
_A_TIMES = [
    (_A_COL[name], getattr(Appointment, name).python_value)
    for name in ("start_at", "end_at", "created_at", "updated_at")
]
_CLIENT = [(f.name, i, f) for i, f in enumerate(LISTED) if f.model is Client]


def _client_of(row: tuple) -> Client:
    """The joined client as a model, its values as the fields hand them out.
    Not through ``Client()``: its defaults would be computed for every row."""
    client = Client.__new__(Client)
    client.__data__ = {name: f.python_value(row[i]) for name, i, f in _CLIENT}
    return client


def _dump_page(rows: list[tuple], identity: bool) -> list[dict]:
    """``AppointmentSchema(many=True).dump(rows)`` without marshmallow's per-field
    work (most of a list's time); tests/test_appointments_list.py keeps the two
    equal. ``rows`` are plain tuples of :data:`LISTED` (the client joined: no
    query per row), turned into Python values by the fields themselves."""
    out = []
    col = _A_COL
    for row in rows:
        start, end, created, updated = (_iso(value(row[i])) for i, value in _A_TIMES)
        client = None
        if identity and row[col["client"]] is not None:
            # python_value: dates as the model hands them out (aware UTC)
            c = _client_of(row)
            client = {
                "id": c.id,
                "client_key": c.client_key,
                "sealed_profile": client_profiles.sealed_profile(c),
                "figures": clientbook.figures(c),
                "created_at": _iso(c.created_at),
            }
        out.append(
            {
                "id": row[col["id"]],
                "staff_id": row[col["staff"]],
                "service_id": row[col["service"]],
                "status": row[col["status"]],
                "source": row[col["source"]],
                "start": start,
                "end": end,
                "price_cents": row[col["price_cents"]],
                "client_id": row[col["client"]],
                "client": client,
                "created_at": created,
                "updated_at": updated,
            }
        )
    return out


def _list_etag(body: str, query: dict, page, total: int, tenant_id: int, key_version: int) -> str:
    """A weak tag over one page of the list: the query, the page, the total, the
    business and its key version, and the page's body exactly as it is answered
    to this caller (rows, their clients' keys, profiles and figures)."""
    basis = {
        "query": {key: str(value) for key, value in sorted(query.items())},
        "page": [page.page, page.page_size, total],
        "tenant": tenant_id,
        "key_version": key_version,  # a rotation re-seals every profile
    }
    digest = hashlib.sha256(json.dumps(basis, sort_keys=True).encode())
    digest.update(body.encode())
    return digest.hexdigest()[:32]


def _listing_tenant(tenant_id: int) -> tuple[str, int]:
    """The tenant's time zone and key version."""
    rows = prepared_rows(
        "appointments.list_tenant",
        lambda: Tenant.select(Tenant.timezone, Tenant.key_version).where(Tenant.id == tenant_id),
        [tenant_id],
    )
    return rows[0]


def _page(who, filters: list, number: int, size: int):
    """One query (prepared per combination of filters and role): the page, each
    row with its client (LEFT JOIN) and the total (a window count); and how to
    count apart for a page past the end. The caller's scope is
    :func:`~hushbook_service.accounts.tenancy.scoped`'s own; its one parameter
    beyond the tenant (a ``staff`` role's own id) is bound here in its place."""
    # The shape of scoped()'s condition for this caller (its SQL differs per shape).
    if who.can("appointments:read"):
        shape, scope = "all", [who.tenant_id]
    elif who.can("appointments:read_own") and who.staff_id is not None:
        shape, scope = "own", [who.tenant_id, who.staff_id]
    else:
        shape, scope = "none", [who.tenant_id]
    values = [field.db_value(value) for _, _, field, value in filters]

    def build():
        rows = scoped(Appointment).order_by(Appointment.start_at, Appointment.id)
        for _, condition, _field, value in filters:
            rows = rows.where(condition(value))
        return rows

    def page_query():
        return (
            build()
            .select(*LISTED, fn.COUNT(SQL("*")).over().alias("total"))
            .join(Client, JOIN.LEFT_OUTER, on=(Appointment.client == Client.id))
            .paginate(number, size)
        )

    key = ",".join(["appointments.list", shape, *(name for name, *_ in filters)])
    rows = prepared_rows(key, page_query, [*scope, *values, size, (number - 1) * size])

    def count() -> int:
        return build().count()

    return rows, count


@blp.route("")
class AppointmentList(MethodView):
    @blp.staff_route("appointments:read", "appointments:read_own")
    @blp.arguments(AppointmentQuery(), location="query")  # an instance: not one made per request
    @blp.doc(parameters=["IF_NONE_MATCH"])
    @blp.response(
        200,
        AppointmentSchema(many=True),
        headers={
            "ETag": {
                "description": "A weak tag of this page (rows, clients' figures, X-Pagination)",
                "schema": {"type": "string"},
            }
        },
    )
    @blp.alt_response(304, description="Not Modified: the page is the one If-None-Match names")
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List appointments (``staff`` role: own only), filter by time, staff, client, status

        Each page carries a weak ``ETag``; send it back as ``If-None-Match`` and an
        unchanged page answers ``304 Not Modified`` without a body (cheap polling)."""
        who = principal()
        # What the list needs of the tenant (its whole row costs more to build and read).
        timezone, key_version = _listing_tenant(who.tenant_id)
        tz = ZoneInfo(timezone)
        # Each filter: (its name in the prepared query's key, its condition, its
        # value as bound). The conditions' order is the parameters' order.
        filters = []
        if "date_from" in query:
            at = local_to_utc(query["date_from"], "from", tz)
            filters.append(("from", lambda v: Appointment.end_at > v, Appointment.end_at, at))
        if "date_to" in query:
            at = local_to_utc(query["date_to"], "to", tz)
            filters.append(("to", lambda v: Appointment.start_at < v, Appointment.start_at, at))
        if "staff_id" in query:
            value = query["staff_id"]
            filters.append(("staff", lambda v: Appointment.staff == v, Appointment.staff, value))
        if "client_id" in query:  # a client's history: for those who may read clients
            if not who.can("clients:read"):
                abort(403, "Your role may not list a client's appointments.")
            value = query["client_id"]
            filters.append(("client", lambda v: Appointment.client == v, Appointment.client, value))
        if "status" in query:
            value = query["status"]
            filters.append(("status", lambda v: Appointment.status == v, Appointment.status, value))
        page = pagination_parameters
        page_rows, count = _page(who, filters, page.page, page.page_size)
        total_at = len(LISTED)
        page.item_count = page_rows[0][total_at] if page_rows else count()
        items = _dump_page(page_rows, principal().can("clients:identity"))
        body = current_app.json.dumps(items)
        tag = _list_etag(body, query, page, page.item_count, who.tenant_id, key_version)
        headers = {"ETag": f'W/"{tag}"'}
        if request.if_none_match.contains_weak(tag):
            return Response(status=304), 304, headers
        return Response(body, mimetype="application/json"), 200, headers

    @blp.staff_route("appointments:write")
    @blp.arguments(AppointmentCreateSchema)
    @blp.response(201, AppointmentSchema)
    @blp.alt_response(409, description="The time is taken (reason: slot_taken)")
    def post(self, data):
        """Book a phone or walk-in client (confirmed at once)"""
        tenant = current_tenant()
        staff = get_or_404(Staff, data["staff_id"], "Team member")
        service = get_or_404(Service, data["service_id"], "Service")
        start = _start_utc(data["start"], tenant)
        client = None
        if "client_id" in data:
            client = scoped(Client).where(Client.id == data["client_id"]).first()
            if client is None:
                field_error("client_id", "Unknown client.")
        appointment = Appointment(
            status="confirmed",
            source=data["source"],
            price_cents=service.price_cents,
            created_by=principal().staff_id,
        )
        with write_transaction():  # outermost: BEGIN IMMEDIATE on SQLite
            if "client" in data:
                client = clients.create_client(tenant, data["client"], source="staff")
            appointment.client = client
            booking.occupy(
                appointment,
                tenant=tenant,
                staff=staff,
                service=service,
                start=start,
                allow_outside_hours=data["allow_outside_hours"],
            )
            if data.get("notify"):
                delivery.seal_contact(appointment, data["notify"])
            # Confirmation and reminders (to the contact, if any) and, after the end,
            # the question to the team member: complete or no-show?
            messages.on_confirmed(appointment)
        return appointment


@blp.route("/<id:appointment_id>")
class AppointmentItem(MethodView):
    @blp.staff_route("appointments:read", "appointments:read_own")
    @blp.etag
    @blp.response(200, AppointmentSchema)
    def get(self, appointment_id):
        """Read one appointment"""
        return get_or_404(Appointment, appointment_id, "Appointment")

    @blp.staff_route("appointments:write")
    @blp.etag
    @blp.arguments(AppointmentMoveSchema)
    @blp.response(200, AppointmentSchema)
    @blp.alt_response(409, description="The new time is taken (reason: slot_taken)")
    def patch(self, data, appointment_id):
        """Move to another time and/or team member (If-Match required)"""
        appointment = get_or_404(Appointment, appointment_id, "Appointment")
        blp.check_etag(appointment, AppointmentSchema)
        if appointment.status not in ("pending", "confirmed"):
            field_error("start", f"A {appointment.status} appointment cannot be moved.", 409)
        tenant = current_tenant()
        staff = appointment.staff
        if "staff_id" in data:
            staff = get_or_404(Staff, data["staff_id"], "Team member")
        start = _start_utc(data["start"], tenant) if "start" in data else appointment.start_at
        return booking.move(
            appointment,
            tenant=tenant,
            staff=staff,
            service=appointment.service,
            start=start,
            allow_outside_hours=data["allow_outside_hours"],
        )


def _transition_route(action: str, summary: str):
    path = action.replace("_", "-")

    class Transition(MethodView):
        @blp.staff_route("appointments:write")
        @blp.response(200, AppointmentSchema)
        @blp.alt_response(409, description="Not allowed from the current status")
        def post(self, appointment_id):
            appointment = get_or_404(Appointment, appointment_id, "Appointment")
            with write_transaction():
                booking.transition(appointment, action)
                # a new contact's online booking missed is a probe (issue 19); the
                # salon's own cancellation is not
                if probes.settle(appointment, by_customer=action != "cancel"):
                    audit.record(
                        appointment.tenant_id,
                        "appointment.no_show",
                        "appointment",
                        appointment.id,
                        reason="probe",
                    )
            return appointment

    Transition.post.__doc__ = summary
    Transition.__name__ = f"Appointment_{action}"
    blp.route(f"/<id:appointment_id>/{path}", endpoint=f"appointment_{action}")(Transition)


_transition_route("confirm", "Confirm a pending appointment")
_transition_route("cancel", "Cancel (frees the time)")
_transition_route("complete", "Mark as completed")
_transition_route("no_show", "Mark as no-show")
