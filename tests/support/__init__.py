"""Helpers shared by the test suites: no fixtures and no tests here.

Fixtures live in ``tests/conftest.py`` (and ``tests/e2e/conftest.py``); test
modules import what they share from these modules, never from each other or
from a conftest. ``tests/`` has no ``__init__.py``, so pytest's default import
mode (``prepend``) puts it on ``sys.path`` when it loads ``tests/conftest.py``,
before any test module: this package imports as ``support`` (first-party for
ruff's isort, see pyproject.toml).

- :mod:`support.config`: keys, costs and URLs every suite uses.
- :mod:`support.db`: empty and migrated databases, a tenant's rows.
- :mod:`support.tenants`: tenants with a logged-in owner and team members.
- :mod:`support.processes`: the environment of every subprocess, real servers.
- :mod:`support.servers`: a private PostgreSQL and Redis a test may stop and start.
- :mod:`support.components`: tools outside Python (Chromium, Node, PHP): skip or fail.
- :mod:`support.api`: the staff and public API as the suites call it.
- :mod:`support.leak`: searching stored bytes for personal data in many encodings.
- :mod:`support.sdk`: one real server per SDK test module; a misbehaving stand-in.
"""
