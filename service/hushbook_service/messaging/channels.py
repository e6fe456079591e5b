"""How messages leave: SMTP e-mail, an SMS webhook gateway, or files (development).

Transports are the operator's, configured by environment (secrets never in the
database):

- ``HUSHBOOK_SMTP_URL`` — ``smtp://user:password@host:587?security=starttls``
  (``security``: ``starttls`` (default for port 587), ``ssl`` (default for
  465) or ``none``); ``HUSHBOOK_MAIL_FROM`` — the sender address.
- ``HUSHBOOK_SMS_URL`` and ``HUSHBOOK_SMS_SECRET`` — a generic JSON webhook:
  ``POST {"to", "text", "message_id"}`` with ``Hushbook-Signature: t=<unix>,
  v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>``; a 2xx answer is
  success (its JSON ``id``, if any, is kept as the provider id), 429/5xx and
  network errors are retried, other 4xx fail (docs/messages.md).
- ``HUSHBOOK_OUTBOX=1`` (development, ``hushbook demo``): without them,
  e-mails and texts are written as files to ``<instance>/outbox/``
  (``.eml`` / ``.txt``). Without either, such messages fail with the reason
  ``channel_not_configured`` (visible in ``/v1/messages``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
from flask import current_app

from hushbook_service.config import transport_settings


class TransientFailure(Exception):
    """Worth retrying later (server busy, network down, 4xx SMTP reply)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class PermanentFailure(TransientFailure):
    """Retrying will not help (address refused, bad request)."""


@dataclass
class Content:
    """A rendered message (see :mod:`hushbook_service.messaging.texts`)."""

    subject: str
    text: str
    html: str
    sender_name: str
    message_key: str  # stable per (message, version): the Message-ID's left part
    ics: str | None = None
    ics_method: str = "PUBLISH"


@dataclass
class SmtpTransport:
    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str | None
    password: str | None
    sender: str
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str, sender: str) -> SmtpTransport:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("HUSHBOOK_SMTP_URL must look like smtp://user:pass@host:587")
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        if parts.scheme == "smtps" or port == 465:
            default = "ssl"
        elif port == 25:  # a relay on the same host or network
            default = "none"
        else:
            default = "starttls"
        security = query.get("security", default)
        if security not in ("starttls", "ssl", "none"):  # a typo must not mean "plain text"
            raise ValueError("HUSHBOOK_SMTP_URL: security must be starttls, ssl or none")
        return cls(
            host=parts.hostname,
            port=port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=sender,
        )

    def send(self, to: str, content: Content) -> str:
        msg = build_email(self.sender, to, content)
        try:
            server: smtplib.SMTP
            if self.security == "ssl":
                server = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.security == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if self.username:
                    server.login(self.username, self.password or "")
                refused = server.send_message(msg)
            finally:
                _quit(server)  # after DATA was accepted, a failing QUIT changes nothing
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [c for c, _ in exc.recipients.values()]
            raise _by_code(codes[0] if codes else 550, "recipient_refused") from None
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, "smtp_refused") from None
        except (TimeoutError, smtplib.SMTPException, OSError):
            raise TransientFailure("smtp_unreachable") from None
        if refused:
            raise PermanentFailure("recipient_refused")
        return str(msg["Message-ID"])


def _quit(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def _by_code(code: int, what: str) -> TransientFailure:
    return (
        TransientFailure(f"{what}_{code}")
        if 400 <= code < 500
        else PermanentFailure(f"{what}_{code}")
    )


def build_email(sender: str, to: str, content: Content) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((content.sender_name, sender))
    msg["To"] = to
    msg["Subject"] = content.subject
    domain = sender.rpartition("@")[2] or "hushbook.invalid"
    # The same id for every attempt of one message: receivers can drop duplicates.
    msg["Message-ID"] = f"<{content.message_key}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(content.text)
    msg.add_alternative(content.html, subtype="html")
    if content.ics:
        msg.add_attachment(
            content.ics.encode(),
            maintype="text",
            subtype="calendar",
            filename="termin.ics",
            params={"method": content.ics_method},
        )
    return msg


@dataclass
class SmsWebhook:
    url: str
    secret: bytes
    timeout: float = 10.0

    def send(self, to: str, content: Content) -> str:
        body = json.dumps(
            {"to": to, "text": content.text, "message_id": content.message_key}, sort_keys=True
        ).encode()
        stamp = str(int(time.time()))
        sig = hmac.new(self.secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        try:
            res = requests.post(
                self.url,
                data=body,
                timeout=self.timeout,
                headers={
                    "Content-Type": "application/json",
                    "Hushbook-Signature": f"t={stamp},v1={sig}",
                    "Idempotency-Key": content.message_key,
                },
            )
        except requests.RequestException:
            raise TransientFailure("sms_unreachable") from None
        if res.status_code == 429 or res.status_code >= 500:
            raise TransientFailure(f"sms_{res.status_code}")
        if not 200 <= res.status_code < 300:
            raise PermanentFailure(f"sms_{res.status_code}")
        try:  # accepted: whatever the body says, this message is sent
            data = res.json()
        except ValueError:
            return ""
        return str(data.get("id", ""))[:200] if isinstance(data, dict) else ""


@dataclass
class FileTransport:
    """Development: every message becomes a file in the outbox folder."""

    folder: Path
    sender: str = "booking@hushbook.invalid"
    suffix: str = ".eml"

    def send(self, to: str, content: Content) -> str:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{content.message_key}{self.suffix}"
        if self.suffix == ".eml":
            data = bytes(build_email(self.sender, to, content))
        else:
            data = f"To: {to}\n\n{content.text}\n".encode()
        path = self.folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return path.name


@dataclass
class Transports:
    by_channel: dict[str, object] = field(default_factory=dict)

    def send(self, channel: str, to: str, content: Content) -> str:
        # "staff": a team member's own e-mail, through the e-mail transport.
        transport = self.by_channel.get("email" if channel == "staff" else channel)
        if transport is None:
            raise PermanentFailure("channel_not_configured")
        return transport.send(to, content)  # type: ignore[attr-defined]


def configured() -> Transports:
    """The operator's transports, from the environment (see the module docstring).

    The file outbox is for development only and must be asked for
    (``HUSHBOOK_OUTBOX=1``; ``hushbook demo`` does): a production worker without
    a transport records ``channel_not_configured`` instead of writing the
    recipients' addresses to disk."""
    instance = current_app.config["HUSHBOOK"].instance
    wanted = transport_settings()
    sender = wanted.mail_from
    outbox = Path(instance) / "outbox" if wanted.outbox else None
    found: dict[str, object] = {}
    if wanted.smtp_url:
        try:
            found["email"] = SmtpTransport.from_url(wanted.smtp_url, sender)
        except ValueError:
            raise PermanentFailure("smtp_url_invalid") from None
    elif outbox:
        found["email"] = FileTransport(outbox, sender)
    if wanted.sms_url:
        found["sms"] = SmsWebhook(wanted.sms_url, wanted.sms_secret)
    elif outbox:
        found["sms"] = FileTransport(outbox, sender, ".txt")
    return Transports(found)
