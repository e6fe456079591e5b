"""The classic helpers (``Client.get/post/patch``, returning decoded JSON) against a
real ``hushbook serve`` process; the resource services are in test_sdk_resources.py."""

from __future__ import annotations

import pytest

import hushbook
from support.config import PASSWORD
from support.processes import start_server, stop_server

pytestmark = pytest.mark.system


@pytest.fixture
def server(settings, make_tenant):
    tenant = make_tenant()
    server = start_server(settings)
    yield server, tenant
    stop_server(server)


def test_login_and_error_mapping(server):
    srv, t = server
    client = hushbook.Client.login(srv.url, "salon-a", "owner@salon-a.test", PASSWORD)
    assert client.get("/v1/tenant")["slug"] == "salon-a"
    staff = client.post(
        "/v1/staff", {"email": "ben@salon-a.test", "display_name": "Ben", "role": "staff"}
    )
    assert staff["one_time_password"]
    with pytest.raises(hushbook.Conflict) as conflict:
        client.post(
            "/v1/staff", {"email": "ben@salon-a.test", "display_name": "B", "role": "staff"}
        )
    assert conflict.value.reason == "email_taken"
    with pytest.raises(hushbook.NotFound):
        client.get("/v1/services/424242")
    with pytest.raises(hushbook.ValidationError) as invalid:
        client.post("/v1/services", {"name": "", "duration_min": 1, "staff_ids": []})
    assert {"name", "duration_min", "staff_ids"} <= set(invalid.value.errors["json"])
    with pytest.raises(hushbook.PreconditionFailed):
        client.patch("/v1/tenant", {"locale": "en"})
    client.refresh()
    assert client.get("/v1/tenant")["id"] == t.tenant.id
    with pytest.raises(hushbook.AuthenticationError):
        hushbook.Client(srv.url, "forged.token.value").get("/v1/tenant")


def test_connection_error_is_wrapped():
    with pytest.raises(hushbook.ConnectionError):
        hushbook.Client("http://127.0.0.1:9", timeout=1).get("/v1/tenant")
