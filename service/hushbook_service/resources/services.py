"""/v1/services: what the business offers, and who offers it."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from hushbook_service.accounts.principals import principal
from hushbook_service.accounts.tenancy import get_or_404, scoped, scoped_ids
from hushbook_service.db import database, utcnow
from hushbook_service.models import Service, ServiceStaff, Staff, bump_tenant_version
from hushbook_service.resources.common import Minutes, Name, PageQuery
from hushbook_service.resources.extensions import Blueprint, CursorPage, Schema

blp = Blueprint("services", __name__, url_prefix="/v1/services", description="Services offered")


class ServiceSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Name(120, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    duration_min = Minutes(5, 12 * 60, required=True)
    price_cents = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 10**8))
    buffer_before_min = Minutes(0, 240, allow_none=True, load_default=None)
    buffer_after_min = Minutes(0, 240, allow_none=True, load_default=None)
    active = fields.Boolean(load_default=True)
    staff_ids = fields.List(
        fields.Integer(strict=True),
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Team members who offer this service (at least one)"},
    )


class ServiceQuery(PageQuery):
    active = fields.Boolean()


def _staff_ids(service: Service) -> list[int]:
    links: list[ServiceStaff] = scoped(ServiceStaff).where(ServiceStaff.service == service.id)
    return sorted(link.staff_id for link in links)


def _dumpable(service: Service) -> Service:
    service.staff_ids = _staff_ids(service)  # type: ignore[attr-defined]
    return service


def _set_staff(service: Service, staff_ids: list[int]) -> None:
    scoped_ids(Staff, staff_ids, "staff_ids")  # 422 for unknown or foreign ids
    ServiceStaff.delete().where(
        ServiceStaff.tenant == service.tenant_id, ServiceStaff.service == service.id
    ).execute()
    for staff_id in sorted(set(staff_ids)):
        ServiceStaff.create(tenant=service.tenant_id, service=service.id, staff=staff_id)


@blp.route("")
class ServiceList(MethodView):
    @blp.staff_route("services:read")
    @blp.arguments(ServiceQuery, location="query")
    @blp.response(200, ServiceSchema(many=True))
    @blp.paginate(CursorPage)
    def get(self, query):
        """List services"""
        rows = scoped(Service).order_by(Service.id)
        if "active" in query:
            rows = rows.where(Service.active == query["active"])
        return _Dumping(rows)

    @blp.staff_route("services:write")
    @blp.arguments(ServiceSchema)
    @blp.response(201, ServiceSchema)
    def post(self, data):
        """Create a service"""
        staff_ids = data.pop("staff_ids")
        with database.atomic():
            bump_tenant_version(principal().tenant_id)
            service = Service.create(tenant=principal().tenant_id, **data)
            _set_staff(service, staff_ids)
        return _dumpable(service)


@blp.route("/<id:service_id>")
class ServiceItem(MethodView):
    @blp.staff_route("services:read")
    @blp.etag
    @blp.response(200, ServiceSchema)
    def get(self, service_id):
        """Read a service"""
        return _dumpable(get_or_404(Service, service_id, "Service"))

    @blp.staff_route("services:write")
    @blp.etag
    @blp.arguments(ServiceSchema(partial=True))
    @blp.response(200, ServiceSchema)
    def patch(self, data, service_id):
        """Change a service (If-Match required)"""
        service = _dumpable(get_or_404(Service, service_id, "Service"))
        blp.check_etag(service, ServiceSchema)
        staff_ids = data.pop("staff_ids", None)
        with database.atomic():
            bump_tenant_version(service.tenant_id)
            for key, value in data.items():
                setattr(service, key, value)
            service.updated_at = utcnow()
            service.save()
            if staff_ids is not None:
                _set_staff(service, staff_ids)
        return _dumpable(service)

    @blp.staff_route("services:write")
    @blp.response(204)
    def delete(self, service_id):
        """Archive a service (past appointments keep pointing to it)"""
        service = get_or_404(Service, service_id, "Service")
        service.active = False
        service.updated_at = utcnow()
        with database.atomic():
            bump_tenant_version(service.tenant_id)
            service.save()


class _Dumping:
    """Wraps a query so paginated rows come out with their ``staff_ids``."""

    def __init__(self, query):
        self.query = query

    def count(self):
        return self.query.count()

    def paginate(self, page, size):
        return [_dumpable(s) for s in self.query.paginate(page, size)]
