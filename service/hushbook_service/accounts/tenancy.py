"""Tenant scoping: the one way routes read and write tenant rows.

Every query for tenant data starts from :func:`scoped`, so a request can only
ever see the caller's own tenant. Row-level rules by role (a ``staff`` member
sees only own appointments) live here too.
"""

from __future__ import annotations

from typing import Any, TypeVar

import peewee

from hushbook_service.accounts.principals import principal
from hushbook_service.errors import abort
from hushbook_service.models import Appointment, Tenant, TenantModel

M = TypeVar("M", bound=TenantModel)


def current_tenant() -> Tenant:
    tenant = Tenant.get_or_none(Tenant.id == principal().tenant_id)
    if tenant is None:
        abort(401, "Invalid or expired token.")
    return tenant


def scoped(model: type[M], *fields: Any) -> Any:
    """``SELECT … FROM model WHERE tenant = caller's tenant`` (plus role rules)."""
    query: Any = model.select(*fields).where(model.tenant == principal().tenant_id)
    if model is Appointment:
        query = _appointment_visibility(query)
    return query


def get_or_404(model: type[M], row_id: object, what: str | None = None) -> M:
    """One row of the caller's tenant, or 404 — the same 404 for rows of other
    tenants as for rows that do not exist, so probing learns nothing."""
    try:
        row_id = int(row_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        row_id = -1
    row = scoped(model).where(model.id == row_id).first()
    if row is None:
        abort(404, f"{what or model.__name__} not found.")
    return row


def scoped_ids(model: type[M], ids: list[int], field: str) -> list[M]:
    """Rows for ``ids`` in the caller's tenant; 422 naming ``field`` if any is foreign."""
    unique = sorted(set(ids))
    rows: list[M] = list(scoped(model).where(model.id.in_(unique))) if unique else []
    if len(rows) != len(unique):
        abort(
            422,
            "The request was well-formed but had invalid values.",
            errors={"json": {field: ["Unknown id."]}},
        )
    return rows


def _appointment_visibility(query: peewee.ModelSelect) -> peewee.ModelSelect:
    who = principal()
    if who.can("appointments:read"):
        return query
    if who.can("appointments:read_own") and who.staff_id is not None:
        return query.where(Appointment.staff == who.staff_id)
    return query.where(Appointment.id.is_null())  # nothing
