"""/v1/tenant: the business's own settings."""

from flask.views import MethodView
from marshmallow import fields, validate

from .. import audit
from ..auth import require
from ..db import utcnow, write_transaction
from ..extensions import Blueprint, Schema
from ..tenancy import current_tenant
from .common import LOCALES, Minutes, Name, validate_timezone

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
    show_staff_names = fields.Boolean()


@blp.route("")
class TenantResource(MethodView):
    @blp.staff_route()
    @require("tenant:read")
    @blp.etag
    @blp.response(200, TenantSchema)
    def get(self):
        """Read the business settings"""
        return current_tenant()

    @blp.staff_route()
    @require("tenant:write")
    @blp.etag
    @blp.arguments(TenantSchema(partial=True))
    @blp.response(200, TenantSchema)
    def patch(self, data):
        """Change business settings (If-Match required)"""
        tenant = current_tenant()
        blp.check_etag(tenant, TenantSchema)
        for key, value in data.items():
            setattr(tenant, key, value)
        tenant.updated_at = utcnow()
        with write_transaction():
            tenant.save()
            audit.record(tenant.id, "tenant.update", "tenant", tenant.id, fields=sorted(data))
        return tenant
