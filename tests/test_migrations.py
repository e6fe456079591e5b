"""Upgrading a populated database adds columns without losing a row."""

from __future__ import annotations

from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_ops

from hushbook_service.db import database
from hushbook_service.migrations import migrate
from hushbook_service.models import ALL_MODELS, Client, Closure, SchemaMigration, Staff, Tenant

LATER_COLUMNS = {  # added to existing tables by m0003 and m0004
    "tenant": [
        "public_key",
        "key_version",
        "profile_fields",
        "retention_months",
        "regular_after_visits",
        "vip_after_spent_cents",
    ],
    "client": [
        "client_key",
        "first_visit",
        "last_visit",
        "visits",
        "no_shows",
        "total_spent_cents",
        "category",
        "birthday_month",
        "last_activity_at",
    ],
}


def test_m0003_m0004_upgrade_keeps_every_row(app, make_tenant, client):
    t = make_tenant()
    stylist = t.member("staff")
    client.put(
        f"/v1/staff/{stylist.staff.id}/working-hours",
        headers=t.owner.headers,
        json={"rules": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)]},
    )
    made = client.post(
        "/v1/clients", json={"profile": {"name": "Mia Migration"}}, headers=t.owner.headers
    ).json
    with app.app_context(), database.connection_context():
        db = database.obj
        before = {m.__name__: m.select().count() for m in ALL_MODELS}
        for index in db.get_indexes("client"):
            if set(index.columns) & set(LATER_COLUMNS["client"]):
                db.execute_sql(f'DROP INDEX "{index.name}"')
        migrator = SchemaMigrator.from_database(db)
        run_ops(
            *(
                migrator.drop_column(table, column)
                for table, columns in LATER_COLUMNS.items()
                for column in columns
            )
        )
        SchemaMigration.delete().where(SchemaMigration.version.in_([3, 4])).execute()

        assert migrate(db) == ["m0003_vault", "m0004_clientbook"]
        for table, columns in LATER_COLUMNS.items():
            assert set(columns) <= {c.name for c in db.get_columns(table)}, table
        assert {m.__name__: m.select().count() for m in ALL_MODELS} == before
        tenant = Tenant.get_by_id(t.tenant.id)
        assert tenant.profile_fields == "name email phone" and tenant.retention_months == 24
        assert tenant.public_key is None  # the old key is gone with the column: set up again
        row = Client.get_by_id(made["id"])
        assert row.category == "new" and row.visits == 0 and row.last_activity_at is None
        assert migrate(db) == []


def test_m0010_adds_closures_to_a_populated_database(app, make_tenant, client):
    """A database from before closures gets the table; nothing else changes."""
    t = make_tenant()
    client.post("/v1/clients", json={"profile": {"name": "Cleo Closure"}}, headers=t.owner.headers)
    with app.app_context(), database.connection_context():
        db = database.obj
        others = [m for m in ALL_MODELS if m is not Closure]
        before = {m.__name__: m.select().count() for m in others}
        db.drop_tables([Closure])
        SchemaMigration.delete().where(SchemaMigration.version == 10).execute()
        assert not db.table_exists("closure")

        assert migrate(db) == ["m0010_closures"]
        assert db.table_exists("closure")
        assert {m.__name__: m.select().count() for m in others} == before
        assert {"tenant_id", "date_from"} <= {
            column for index in db.get_indexes("closure") for column in index.columns
        }
        assert migrate(db) == []
    made = client.post(
        "/v1/tenant/closures",
        json={"date_from": "2030-12-24", "date_to": "2030-12-26", "label": "Weihnachten"},
        headers=t.owner.headers,
    )
    assert made.status_code == 201, made.json
    listed = client.get("/v1/tenant/closures", headers=t.owner.headers).json
    assert [(c["date_from"], c["label"]) for c in listed] == [("2030-12-24", "Weihnachten")]


def test_m0012_adds_the_message_columns_and_widens_the_ledger_key(app, make_tenant, client):
    """A database from before 0012: columns added with their defaults, the ledger's
    unique key grows by the recipient, every row kept."""
    from hushbook_service.migrations import m0012_customer_messages as m

    t = make_tenant()
    client.post("/v1/clients", json={"profile": {"name": "Mia Migration"}}, headers=t.owner.headers)
    with app.app_context(), database.connection_context():
        db = database.obj
        before = {m_.__name__: m_.select().count() for m_ in ALL_MODELS}
        db.execute_sql(f'DROP INDEX "{m.NEW_INDEX}"')
        db.execute_sql(
            f'CREATE UNIQUE INDEX "{m.OLD_INDEX}" ON "message" ("appointment_id", "kind", "channel")'
        )
        for table, column in (
            ("message", "recipient"),
            ("appointment", "locale"),
            ("appointment", "ics_sequence"),
            ("staff", "notify_bookings"),
        ):
            db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        SchemaMigration.delete().where(SchemaMigration.version == 12).execute()

        assert migrate(db) == ["m0012_customer_messages"]
        indexes = {i.name: (i.columns, i.unique) for i in db.get_indexes("message")}
        assert m.OLD_INDEX not in indexes
        assert indexes[m.NEW_INDEX] == (["appointment_id", "kind", "channel", "recipient"], True)
        assert {m_.__name__: m_.select().count() for m_ in ALL_MODELS} == before
        assert Staff.get_by_id(t.owner.staff.id).notify_bookings is True
        assert migrate(db) == []
