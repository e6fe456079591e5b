"""Transports against local stand-ins speaking the real protocols (HTTP + HMAC, SMTP)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hushbook_service.db import database
from hushbook_service.messaging import channels
from hushbook_service.messaging import ledger as messages
from support.api import book_online, make_shop
from support.db import message_rows, team_mails_off

SECRET = b"gateway shared secret"


class Gateway:
    """A stand-in SMS provider: checks the signature, answers as told."""

    def __init__(self):
        self.calls: list[dict] = []
        self.answers: list[int] = []  # status codes to give first (then 200)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sig = dict(p.split("=", 1) for p in self.headers["Hushbook-Signature"].split(","))
                expected = hmac.new(
                    SECRET, sig["t"].encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                valid = hmac.compare_digest(expected, sig["v1"])
                fresh = abs(time.time() - int(sig["t"])) < 300
                gateway.calls.append(
                    {
                        "body": json.loads(body),
                        "valid": valid and fresh,
                        "key": self.headers["Idempotency-Key"],
                    }
                )
                status = gateway.answers.pop(0) if gateway.answers else 200
                if not (valid and fresh):
                    status = 401
                payload = json.dumps({"id": f"sms-{len(gateway.calls)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()


@pytest.fixture
def gateway():
    g = Gateway()
    yield g
    g.server.shutdown()  # within one poll interval, not the default half second
    g.server.server_close()


@pytest.fixture
def shop(client, make_tenant, app):
    t = make_shop(client, make_tenant)
    team_mails_off(app)  # the customer's messages only
    return t


def test_sms_webhook_signed_retried_and_recorded(client, app, shop, gateway, monkeypatch):
    monkeypatch.setenv("HUSHBOOK_SMS_URL", gateway.url)
    monkeypatch.setenv("HUSHBOOK_SMS_SECRET", SECRET.decode())
    book_online(client, shop, contact_override={"phone": "+49 170 1234567"})
    assert message_rows(app) == [("confirm_request", "sms", "pending")]
    gateway.answers = [503]
    with app.app_context(), database.connection_context():
        transports = channels.configured()
        ids = messages.claim_due()
        assert [messages.deliver(i, transports) for i in ids] == ["pending"]  # 503: later
        row = messages.Message.get()
        row.due_at = row.created_at  # due again now
        row.save()
        ids = messages.claim_due()
        assert [messages.deliver(i, transports) for i in ids] == ["sent"]
        assert messages.Message.get().provider_id == "sms-2"
    assert [c["valid"] for c in gateway.calls] == [True, True]
    body = gateway.calls[-1]["body"]
    assert body["to"] == "+491701234567" and "Code" in body["text"]  # E.164 for gateways
    assert gateway.calls[0]["key"] == gateway.calls[1]["key"]  # same message, same key


def test_sms_webhook_wrong_secret_fails_permanently(client, app, shop, gateway, monkeypatch):
    monkeypatch.setenv("HUSHBOOK_SMS_URL", gateway.url)
    monkeypatch.setenv("HUSHBOOK_SMS_SECRET", "not the secret")
    book_online(client, shop, contact_override={"phone": "+49 170 7654321"})
    with app.app_context(), database.connection_context():
        transports = channels.configured()
        assert [messages.deliver(i, transports) for i in messages.claim_due()] == ["failed"]
        assert messages.Message.get().last_error == "sms_401"


def test_gateway_down_is_transient(client, app, shop):
    hook = channels.SmsWebhook("http://127.0.0.1:9/none", SECRET, timeout=2)
    with pytest.raises(channels.TransientFailure) as err:
        hook.send("+49 1", channels.Content("s", "t", "<p>t</p>", "Salon", "hb-1-v1"))
    assert err.value.code == "sms_unreachable"
    assert not isinstance(err.value, channels.PermanentFailure)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("mail.example.org", 587, "starttls", None, None)),
        ("smtps://u%40x:p%3Aw@mail.example.org", ("mail.example.org", 465, "ssl", "u@x", "p:w")),
        ("smtp://127.0.0.1:25", ("127.0.0.1", 25, "none", None, None)),
        ("smtp://h:2525?security=ssl", ("h", 2525, "ssl", None, None)),
    ],
)
def test_smtp_url(url, expected):
    t = channels.SmtpTransport.from_url(url, "from@example.org")
    assert (t.host, t.port, t.security, t.username, t.password) == expected


def test_email_headers_and_parts():
    content = channels.Content(
        "Betreff", "Text", "<p>Text</p>", "Salon Süd", "hb-7-v2", ics="BEGIN:VCALENDAR\r\n"
    )
    msg = channels.build_email("booking@salon.test", "kim@example.org", content)
    assert msg["Message-ID"] == "<hb-7-v2@salon.test>"  # stable across retries
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "Salon" in msg["From"] and "booking@salon.test" in msg["From"]
    types = [p.get_content_type() for p in msg.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)


def test_gateway_accepting_with_an_odd_body_counts_as_sent(client, app, shop, gateway, monkeypatch):
    monkeypatch.setenv("HUSHBOOK_SMS_URL", gateway.url)
    monkeypatch.setenv("HUSHBOOK_SMS_SECRET", SECRET.decode())
    book_online(client, shop, contact_override={"phone": "0170 2223334"})
    monkeypatch.setattr(channels.requests.Response, "json", lambda self: ["queued"])
    with app.app_context(), database.connection_context():
        transports = channels.configured()
        assert [messages.deliver(i, transports) for i in messages.claim_due()] == ["sent"]
    assert gateway.calls[0]["body"]["to"] == "+491702223334"  # national number, tenant's code


def test_a_bug_before_sending_fails_the_row_instead_of_looping(client, app, shop, monkeypatch):
    book_online(client, shop)

    def broken(*_):
        raise KeyError("template")

    monkeypatch.setattr(messages.templates, "render", broken)
    with app.app_context(), database.connection_context():
        assert [messages.deliver(i, None) for i in messages.claim_due()] == ["failed"]
        row = messages.Message.get()
        assert (row.state, row.last_error) == ("failed", "internal_error")
        assert messages.claim_due() == []  # never re-queued


def test_mistyped_smtp_security_is_refused_not_plain_text(client, app, shop, monkeypatch):
    monkeypatch.setenv("HUSHBOOK_SMTP_URL", "smtp://mail.example.org:587?security=tls")
    book_online(client, shop)
    with app.app_context(), database.connection_context():
        assert [messages.deliver(i) for i in messages.claim_due()] == ["failed"]
        assert messages.Message.get().last_error == "smtp_url_invalid"
