"""/v1/delivery-keys/{month}: the public half of a month's delivery key.

Whoever holds a contact for reminders seals it to this key (the service does so
on arrival of a public booking; an integrator's own front end may do it before
sending), so only a sealed contact is stored. Public on purpose: it is a public key.
"""

from __future__ import annotations

import re

from flask.views import MethodView
from marshmallow import fields

from hushbook_service.db import utcnow
from hushbook_service.errors import abort
from hushbook_service.privacy import delivery
from hushbook_service.resources.extensions import Blueprint, Schema

blp = Blueprint(
    "delivery_keys",
    __name__,
    url_prefix="/v1/delivery-keys",
    description="Public keys to seal reminder contacts to",
)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class DeliveryKeySchema(Schema):
    month = fields.String()
    public_key = fields.String(metadata={"description": "X25519, base64url (HPKE, see docs)"})


@blp.route("/<month>")
class DeliveryKey(MethodView):
    @blp.response(200, DeliveryKeySchema)
    @blp.doc(security=[])
    def get(self, month):
        """The delivery public key for appointments in ``month`` (YYYY-MM)"""
        # Keys exist only for months that can still be booked: no key files on demand
        # for any month an anonymous caller names.
        if not MONTH.match(month) or month not in delivery.bookable_epochs(utcnow()):
            abort(404, "No delivery key for that month.")
        return {"month": month, "public_key": delivery.public_key(month)}
