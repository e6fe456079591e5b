"""Retries, backoff, ``Retry-After``, timeouts and idempotency keys, with a local
stand-in server that misbehaves on purpose in front of a real ``hushbook serve``."""

from __future__ import annotations

import itertools
import json
import time as clock

import pytest

import hushbook
from support.sdk import (
    StandIn,
    answer,
    drop,
    forward,
    forward_then_drop,
    live_environment,
)

pytestmark = pytest.mark.system
_slugs = itertools.count()


@pytest.fixture(scope="module")
def live(tmp_path_factory, migrated_template):
    with live_environment(tmp_path_factory.mktemp("sdk-retries"), migrated_template) as env:
        yield env


@pytest.fixture
def salon(live):
    return live.make_tenant(f"salon-x{next(_slugs)}")


def client_via(stand_in: StandIn, t, **kw) -> tuple[hushbook.Client, list[float]]:
    """A client talking to the stand-in, with the owner's tokens; sleeps recorded."""
    client = hushbook.Client(
        stand_in.url, t.owner.access_token, refresh_token=t.owner.refresh_token, **kw
    )
    sleeps: list[float] = []
    real_sleep = client._sleep

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        real_sleep(min(seconds, 0.05))  # keep the suite fast; the figure is what counts

    client._sleep = sleep
    return client, sleeps


def test_429_is_retried_honouring_retry_after_then_succeeds(live, salon):
    script = [answer(429, headers={"Retry-After": "2"}), answer(429, headers={"Retry-After": "0"})]
    with StandIn(upstream=live.url, script=script) as stand_in:
        client, sleeps = client_via(stand_in, salon)
        tenant = client.tenant.get()
    assert tenant.slug == salon.tenant.slug
    assert len(stand_in.seen) == 3 and client.last_response.attempts == 3
    assert 2 <= sleeps[0] <= 2.1 and 0 <= sleeps[1] <= 0.1  # Retry-After, plus a little jitter


def test_503_on_get_backs_off_exponentially_with_jitter(live, salon):
    with StandIn(upstream=live.url, script=[answer(503), answer(503)]) as stand_in:
        client, sleeps = client_via(stand_in, salon, retry_delay=0.4)
        assert client.services.list().to_list() == []
    assert len(stand_in.seen) == 3
    assert 0.2 <= sleeps[0] <= 0.4 and 0.4 <= sleeps[1] <= 0.8  # 50-100 % of 0.4 * 2**n


def test_503_retry_after_is_honoured(live, salon):
    with StandIn(upstream=live.url, script=[answer(503, headers={"Retry-After": "1"})]) as s:
        client, sleeps = client_via(s, salon)
        client.tenant.get()
    assert len(sleeps) == 1 and 1 <= sleeps[0] <= 1.1


def test_post_retries_reuse_one_idempotency_key(live, salon):
    with StandIn(upstream=live.url, script=[answer(503), answer(502)]) as stand_in:
        client, sleeps = client_via(stand_in, salon)
        stylist = client.staff.create("sam@example.test", "Sam", "staff")
    posts = [s for s in stand_in.seen if s.method == "POST"]
    keys = {s.headers.get("Idempotency-Key") for s in posts}
    assert len(posts) == 3 and len(keys) == 1 and None not in keys
    assert len(next(iter(keys))) >= 32
    assert stylist.one_time_password and live.count("Staff", salon.tenant.id) == 2
    # Every logical POST gets its own key.
    with StandIn(upstream=live.url) as stand_in:
        client, _ = client_via(stand_in, salon)
        client.services.create("Cut", 30, [stylist])
        client.services.create("Colour", 60, [stylist])
    keys = [s.headers["Idempotency-Key"] for s in stand_in.seen if s.method == "POST"]
    assert len(set(keys)) == 2


def test_dropped_connection_after_post_creates_exactly_one_record(live, salon):
    """The first POST reaches the service but its answer is lost; the SDK sends it
    again with the same key and the service replays the stored answer."""
    before = live.count("Client", salon.tenant.id)
    with StandIn(upstream=live.url, script=[forward_then_drop]) as stand_in:
        client, sleeps = client_via(stand_in, salon)
        created = client.clients.create({"name": "Once Only"}, seal=False)
    posts = [s for s in stand_in.seen if s.method == "POST"]
    assert len(posts) == 2 and len(sleeps) == 1
    assert posts[0].headers["Idempotency-Key"] == posts[1].headers["Idempotency-Key"]
    assert posts[0].body == posts[1].body
    assert live.count("Client", salon.tenant.id) == before + 1
    assert client.last_response.replayed  # Idempotent-Replayed: true
    assert isinstance(created.id, int)


def test_dropped_connection_on_get_is_retried(live, salon):
    with StandIn(upstream=live.url, script=[drop]) as stand_in:
        client, sleeps = client_via(stand_in, salon)
        assert client.tenant.get().id == salon.tenant.id
    assert len(stand_in.seen) == 2 and len(sleeps) == 1


def test_gives_up_after_max_retries_with_server_error(salon):
    with StandIn(default=answer(503)) as stand_in:
        client, sleeps = client_via(stand_in, salon, max_retries=3)
        with pytest.raises(hushbook.ServerError) as failed:
            client.tenant.get()
    assert failed.value.status == 503 and len(stand_in.seen) == 4 and len(sleeps) == 3
    assert failed.value.response.attempts == 4


def test_no_retry_where_repeating_could_act_twice(salon):
    """A POST without an idempotency key (no credentials: the service would not
    honour one) is not repeated after a 5xx or a dropped connection."""
    with StandIn(default=answer(500)) as stand_in:
        anonymous, _ = client_via(stand_in, salon)
        anonymous.token = None
        with pytest.raises(hushbook.ServerError):
            anonymous.post("/v1/public/x/offers", {"service_id": 1})
        assert len(stand_in.seen) == 1 and "Idempotency-Key" not in stand_in.seen[0].headers
    session = answer(200, b'{"session": "s", "required": false}')
    with StandIn(script=[session], default=drop) as stand_in:
        visitor = hushbook.PublicBooking(stand_in.url, "x", max_retries=2)
        with pytest.raises(hushbook.ConnectionError):
            visitor.offers(1, "2030-01-01", "2030-01-02")  # spends a puzzle: not repeated
        assert [s.path for s in stand_in.seen] == ["/v1/public/x/challenge", "/v1/public/x/offers"]
    with StandIn(default=answer(503)) as stand_in:
        client, _ = client_via(stand_in, salon)
        with pytest.raises(hushbook.ServerError):
            client.patch("/v1/tenant", {"locale": "en"}, headers={"If-Match": "x"})
        assert len(stand_in.seen) == 1  # PATCH carries no key


def test_long_retry_after_is_left_to_the_caller(salon):
    with StandIn(default=answer(429, headers={"Retry-After": "3600"})) as stand_in:
        client, sleeps = client_via(stand_in, salon)
        with pytest.raises(hushbook.RateLimited) as limited:
            client.tenant.get()
    assert limited.value.retry_after == 3600 and sleeps == [] and len(stand_in.seen) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 422])
def test_other_4xx_are_never_retried(salon, status):
    body = json.dumps({"code": status, "message": "no", "reason": "some_reason"}).encode()
    with StandIn(default=answer(status, body)) as stand_in:
        client, sleeps = client_via(stand_in, salon)
        with pytest.raises(hushbook.HushbookError) as failed:
            client.post("/v1/services", {"name": "x"})
    assert failed.value.status == status and failed.value.reason == "some_reason"
    assert len(stand_in.seen) == 1 and sleeps == []


def test_idempotency_in_progress_is_waited_for(live, salon):
    busy = json.dumps(
        {"code": 409, "message": "in progress", "reason": "idempotency_in_progress"}
    ).encode()
    script = [answer(409, busy, {"Retry-After": "1"})]
    with StandIn(upstream=live.url, script=script) as stand_in:
        client, sleeps = client_via(stand_in, salon)
        client.tenant.publish_privacy_notice("en", "We use your data for the appointment only.")
    assert len(stand_in.seen) == 2 and 1 <= sleeps[0] <= 1.1
    assert (
        stand_in.seen[0].headers["Idempotency-Key"] == stand_in.seen[1].headers["Idempotency-Key"]
    )


def test_a_caller_supplied_key_is_sent_as_is(live, salon):
    with StandIn(upstream=live.url) as stand_in:
        client, _ = client_via(stand_in, salon)
        client.tenant.publish_privacy_notice(
            "de", "Wir verarbeiten Ihre Daten nur für den Termin.", idempotency_key="notice-2030-1"
        )
    assert stand_in.seen[0].headers["Idempotency-Key"] == "notice-2030-1"


def test_default_timeout_and_a_stalled_server(salon):
    assert hushbook.Client("http://127.0.0.1:9").timeout == hushbook.DEFAULT_TIMEOUT == 10.0

    def stall(stand_in, handler, seen):
        clock.sleep(1.5)

    with StandIn(default=stall) as stand_in:
        client, _ = client_via(stand_in, salon, timeout=0.3, max_retries=1)
        started = clock.monotonic()
        with pytest.raises(hushbook.ConnectionError) as slow:
            client.tenant.get()
        assert clock.monotonic() - started < 1.5
    assert "Timeout" in str(slow.value) and len(stand_in.seen) == 2


def test_server_error_and_error_mapping_in_one_function():
    mapped = {
        status: type(hushbook.error_from_response(status, {"message": "m"}, {}))
        for status in (400, 401, 403, 404, 409, 412, 413, 418, 422, 428, 429, 500, 503)
    }
    assert mapped == {
        400: hushbook.ValidationError,
        401: hushbook.AuthenticationError,
        403: hushbook.PermissionDenied,
        404: hushbook.NotFound,
        409: hushbook.Conflict,
        412: hushbook.PreconditionFailed,
        413: hushbook.ValidationError,
        418: hushbook.HushbookError,
        422: hushbook.ValidationError,
        428: hushbook.PreconditionFailed,
        429: hushbook.RateLimited,
        500: hushbook.ServerError,
        503: hushbook.ServerError,
    }
    limited = hushbook.error_from_response(429, {}, {"retry-after": "7"})
    assert isinstance(limited, hushbook.RateLimited) and limited.retry_after == 7
    invalid = hushbook.error_from_response(
        422,
        {"message": "bad", "errors": {"json": {"name": ["Missing."]}, "query": {"page": ["x"]}}},
        {},
    )
    assert invalid.field_errors == {"name": ["Missing."], "page": ["x"]}


def test_forward_helper_passes_answers_unchanged(live, salon):
    with StandIn(upstream=live.url, default=forward) as stand_in:
        client, _ = client_via(stand_in, salon)
        assert client.tenant.get().etag  # headers survive the stand-in
