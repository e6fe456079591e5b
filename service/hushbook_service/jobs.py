"""Huey wiring: SqliteHuey file by default, RedisHuey with HUEY_URL=redis://….

Job payloads carry ids only, never personal data (DESIGN §5/§6).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from huey import Huey, RedisHuey, SqliteHuey, crontab

from .config import Settings, load_settings


def make_huey(settings: Settings) -> Huey:
    url = settings.huey_url
    if url.startswith("redis://") or url.startswith("rediss://"):
        return RedisHuey("hushbook", url=url)
    if url.startswith("sqlite:///"):
        return SqliteHuey("hushbook", filename=url.removeprefix("sqlite:///"))
    raise ValueError("HUEY_URL must be sqlite:///path or redis://…")


_settings = load_settings()
huey = make_huey(_settings)


_app = None
_app_lock = threading.Lock()


@contextmanager
def service_context() -> Iterator[None]:
    """The app's configuration and a database connection, for a job."""
    global _app
    from . import create_app
    from .db import database

    with _app_lock:  # the sweeper thread and the worker threads start together
        if _app is None:
            _app = create_app(_settings)
    with _app.app_context(), database.connection_context():
        yield


@huey.periodic_task(crontab(minute="*/15"))
def housekeeping() -> int:
    """Drop expired refresh tokens and old login failures."""
    from . import idempotency, identity, metering, public

    with service_context():
        return (
            identity.purge_expired()
            + metering.purge()
            + public.purge_spent()
            + idempotency.purge_expired()
        )


@huey.periodic_task(crontab(minute="*"))
def expire_pending_bookings() -> int:
    """Unconfirmed online bookings past their time: expired, their new clients erased."""
    from . import public

    with service_context():
        return public.expire_pending()


@huey.periodic_task(crontab(minute="7"))
def shred_delivery_contacts() -> list[str]:
    """Crypto-shred the delivery contacts of months that are over (plus grace)."""
    from . import delivery

    with service_context():
        return delivery.shred_expired()


@huey.periodic_task(crontab(hour="3", minute="17"))
def retention_purge() -> int:
    """Erase clients inactive for longer than their salon's retention period."""
    from . import clientbook

    with service_context():
        return clientbook.purge_inactive()


@huey.task()
def send_message(message_id: int) -> None:
    """Send one message of the ledger if it is still owed (the payload is its id)."""
    from . import messages

    with service_context():
        messages.deliver(message_id)


def enqueue_due() -> int:
    """Queue every message that is due (or whose sender vanished): the sweeper."""
    from . import messages

    with service_context():
        ids = messages.claim_due()
    for message_id in ids:
        send_message(message_id)
    return len(ids)


@huey.periodic_task(crontab(minute="*"))
def sweep_messages() -> None:
    """Backstop for the worker's own sweeper thread (``hushbook worker``)."""
    enqueue_due()
