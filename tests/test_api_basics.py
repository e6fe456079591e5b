"""OpenAPI, docs, the one error envelope and hostile input."""

from __future__ import annotations

import pytest

ENVELOPE = {"code", "status", "message"}


def assert_problem(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.is_json, resp.get_data(as_text=True)[:200]
    body = resp.json
    assert ENVELOPE <= set(body), body
    assert body["code"] == status
    return body


def test_openapi_document_and_docs(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json
    assert spec["info"]["title"] == "Hushbook API"
    paths = spec["paths"]
    for path in (
        "/v1/auth/login",
        "/v1/auth/refresh",
        "/v1/tenant",
        "/v1/staff",
        "/v1/staff/{staff_id}/working-hours",
        "/v1/staff/{staff_id}/time-off",
        "/v1/services",
        "/v1/appointments",
        "/v1/appointments/{appointment_id}/cancel",
        "/v1/integration-keys",
    ):
        assert path in paths, path
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200


def test_unknown_route_and_wrong_method_are_json(client):
    assert_problem(client.get("/v1/nothing-here"), 404)
    body = assert_problem(client.delete("/v1/auth/login"), 405)
    assert body["status"] == "Method Not Allowed"


def test_huge_body_is_413(client, make_tenant):
    t = make_tenant()
    big = {"name": "x" * (70 * 1024)}
    assert_problem(client.post("/v1/services", json=big, headers=t.owner.headers), 413)


def test_malformed_json_is_400_or_422(client, make_tenant):
    t = make_tenant()
    r = client.post(
        "/v1/services",
        data="{not json",
        headers={**t.owner.headers, "Content-Type": "application/json"},
    )
    assert r.status_code in (400, 422) and r.is_json


def test_unknown_fields_and_wrong_types_name_the_field(client, make_tenant):
    t = make_tenant()
    staff = t.member("staff")
    body = {"name": "Cut", "duration_min": "45", "staff_ids": [staff.staff.id], "colour": "red"}
    errors = assert_problem(client.post("/v1/services", json=body, headers=t.owner.headers), 422)
    assert {"duration_min", "colour"} <= set(errors["errors"]["json"])


@pytest.mark.parametrize(
    "rule, field",
    [
        ({"weekday": 1, "start": "25:00", "end": "18:00"}, "start"),
        ({"weekday": 1, "start": "18:00", "end": "09:00"}, "end"),
        ({"weekday": 9, "start": "09:00", "end": "18:00"}, "weekday"),
    ],
)
def test_impossible_working_hours(client, make_tenant, rule, field):
    t = make_tenant()
    s = t.member("staff")
    r = client.put(
        f"/v1/staff/{s.staff.id}/working-hours", json={"rules": [rule]}, headers=t.owner.headers
    )
    body = assert_problem(r, 422)
    assert field in str(body["errors"])


def test_overlapping_working_hours_refused_and_nothing_written(client, make_tenant):
    t = make_tenant()
    s = t.member("staff")
    url = f"/v1/staff/{s.staff.id}/working-hours"
    ok = {"rules": [{"weekday": 1, "start": "09:00", "end": "13:00"}]}
    assert client.put(url, json=ok, headers=t.owner.headers).status_code == 200
    bad = {
        "rules": [
            {"weekday": 2, "start": "09:00", "end": "13:00"},
            {"weekday": 2, "start": "12:00", "end": "18:00"},
        ]
    }
    assert_problem(client.put(url, json=bad, headers=t.owner.headers), 422)
    outside_break = {
        "rules": [
            {"weekday": 2, "start": "09:00", "end": "13:00"},
            {"weekday": 2, "kind": "break", "start": "14:00", "end": "14:30"},
        ]
    }
    assert_problem(client.put(url, json=outside_break, headers=t.owner.headers), 422)
    assert client.get(url, headers=t.owner.headers).json == {
        "rules": [{"weekday": 1, "kind": "shift", "start": "09:00", "end": "13:00"}]
    }


def test_service_no_staff_offers_is_refused(client, make_tenant):
    t = make_tenant()
    body = {"name": "Cut", "duration_min": 45, "staff_ids": []}
    assert_problem(client.post("/v1/services", json=body, headers=t.owner.headers), 422)
    body["staff_ids"] = [987654]
    errors = assert_problem(client.post("/v1/services", json=body, headers=t.owner.headers), 422)
    assert "staff_ids" in errors["errors"]["json"]


@pytest.mark.parametrize(
    "name",
    ["Robert'); DROP TABLE staff;--", "Zoë 𝓗𝓪𝓲𝓻 \u202e", "' OR 1=1 --", "名字"],
)
def test_sql_ish_and_unicode_names_are_stored_verbatim(client, make_tenant, name):
    t = make_tenant()
    s = t.member("staff")
    body = {"name": name, "duration_min": 30, "staff_ids": [s.staff.id]}
    r = client.post("/v1/services", json=body, headers=t.owner.headers)
    assert r.status_code == 201, r.json
    assert client.get(f"/v1/services/{r.json['id']}", headers=t.owner.headers).json["name"] == name
    assert client.get("/v1/staff", headers=t.owner.headers).status_code == 200


def test_nul_bytes_and_control_chars_do_not_500(client, make_tenant):
    t = make_tenant()
    s = t.member("staff")
    body = {"name": "bad\x00name", "duration_min": 30, "staff_ids": [s.staff.id]}
    r = client.post("/v1/services", json=body, headers=t.owner.headers)
    assert r.status_code == 422 and "name" in r.json["errors"]["json"]
    r = client.get("/v1/staff", query_string={"role": "own\x00er"}, headers=t.owner.headers)
    assert r.status_code == 422


def test_time_off_in_dst_gap_is_refused(client, make_tenant):
    t = make_tenant()  # Europe/Berlin: 2026-03-29 02:00-03:00 does not exist
    s = t.member("staff")
    r = client.post(
        f"/v1/staff/{s.staff.id}/time-off",
        json={"start_at": "2026-03-29T02:30:00", "end_at": "2026-03-29T05:00:00"},
        headers=t.owner.headers,
    )
    body = assert_problem(r, 422)
    assert "start_at" in body["errors"]["json"]


def test_tenant_settings_validation_and_etag(client, make_tenant):
    t = make_tenant()
    r = client.get("/v1/tenant", headers=t.owner.headers)
    etag = r.headers["ETag"]
    bad = client.patch(
        "/v1/tenant",
        json={"timezone": "Mars/Olympus"},
        headers={**t.owner.headers, "If-Match": etag},
    )
    assert_problem(bad, 422)
    assert_problem(client.patch("/v1/tenant", json={"locale": "en"}, headers=t.owner.headers), 428)
    ok = client.patch(
        "/v1/tenant",
        json={"locale": "en", "slot_granularity_min": 30},
        headers={**t.owner.headers, "If-Match": etag},
    )
    assert ok.status_code == 200 and ok.json["locale"] == "en"
    stale = client.patch(
        "/v1/tenant", json={"locale": "de"}, headers={**t.owner.headers, "If-Match": etag}
    )
    assert_problem(stale, 412)


def test_malformed_json_message_is_honest(client, make_tenant):
    t = make_tenant()
    r = client.post(
        "/v1/services",
        data="{oops",
        headers={**t.owner.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and "well-formed" not in r.json["message"]


def test_time_off_reason_only_for_schedule_managers(client, make_tenant):
    t = make_tenant()
    s = t.member("staff")
    url = f"/v1/staff/{s.staff.id}/time-off"
    r = client.post(
        url,
        json={"start_at": "2030-01-07T00:00:00", "end_at": "2030-01-08T00:00:00", "kind": "sick"},
        headers=t.owner.headers,
    )
    assert r.status_code == 201 and r.json["kind"] == "sick"
    assert client.get(url, headers=t.owner.headers).json[0]["kind"] == "sick"
    assert client.get(url, headers=s.headers).json[0]["kind"] == "away"
    accountant = t.member("accountant")
    assert client.get(url, headers=accountant.headers).json[0]["kind"] == "away"


def test_control_characters_in_query_strings_refused(client, make_tenant):
    t = make_tenant()
    r = client.get(
        "/v1/appointments", query_string={"status": "confirmed\x01"}, headers=t.owner.headers
    )
    assert r.status_code == 422 and "status" in r.json["errors"]["query"]
