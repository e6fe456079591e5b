"""Shared fixtures (the helpers they use are in ``tests/support``).

The API suites run on SQLite by default and on PostgreSQL when
``HUSHBOOK_TEST_DATABASE_URL=postgresql://…`` is set (``.ci/run`` does both).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hushbook_service import create_app
from hushbook_service.config import load_settings
from hushbook_service.db import database
from support.config import KEY_ENV, TEST_DB_URL
from support.db import MigratedTemplate, empty_database
from support.tenants import TenantFixture, new_tenant


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """The schema, migrated once for the whole session (see support/db.py)."""
    template = MigratedTemplate.create(tmp_path_factory.mktemp("template"), TEST_DB_URL)
    yield template
    template.drop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """An empty database of this test's own."""
    if TEST_DB_URL:
        empty_database(TEST_DB_URL)
        return TEST_DB_URL
    return f"sqlite:///{tmp_path / 'hushbook.db'}"


@pytest.fixture
def settings(tmp_path: Path, db_url: str, monkeypatch):
    for name, value in KEY_ENV.items():
        monkeypatch.setenv(name, value)
    return load_settings(
        instance=tmp_path / "instance",
        database_url=db_url,
        huey_url=f"sqlite:///{tmp_path / 'huey.db'}",
    )


@pytest.fixture
def app(settings, migrated_template):
    """The service on this test's database, migrated (a copy of the template)."""
    migrated_template.copy_to(settings.database_url)
    app = create_app(settings)
    yield app
    if not database.is_closed():
        database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_tenant(app):
    def factory(
        slug: str = "salon-a", timezone: str = "Europe/Berlin", vault: bool = True
    ) -> TenantFixture:
        return new_tenant(app, slug, timezone, vault)

    return factory
