"""Huey wiring: SqliteHuey file by default, RedisHuey with HUEY_URL=redis://….

Job payloads carry ids only, never personal data (docs/threat-model.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab

from hushbook_service import observability
from hushbook_service.accounts import logins
from hushbook_service.app import create_app
from hushbook_service.config import Settings, load_settings
from hushbook_service.db import database
from hushbook_service.messaging import ledger, links
from hushbook_service.privacy import clientbook, delivery
from hushbook_service.public import bookings, metering
from hushbook_service.resources import idempotency


def make_huey(settings: Settings) -> Huey:
    url = settings.huey_url
    if url.startswith("redis://") or url.startswith("rediss://"):
        # An unreachable Redis fails a request's enqueue in seconds (its rows go
        # back to pending), never at the OS's TCP timeout.
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(url, socket_connect_timeout=3, socket_timeout=10)
        return RedisHuey("hushbook", connection_pool=pool)
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

    with _app_lock:  # the sweeper thread and the worker threads start together
        if _app is None:
            _app = create_app(_settings)
    with _app.app_context(), database.connection_context():
        yield


@huey.periodic_task(crontab(minute="*/15"))
def housekeeping() -> int:
    """Drop expired refresh tokens, old login failures and expired short links."""
    with service_context():
        return (
            logins.purge_expired()
            + metering.purge()
            + bookings.purge_spent()
            + idempotency.purge_expired()
            + links.purge()
        )


@huey.periodic_task(crontab(minute="*"))
def expire_pending_bookings() -> int:
    """Unconfirmed online bookings past their time: expired, their new clients erased."""
    with service_context():
        return bookings.expire_pending()


@huey.periodic_task(crontab(minute="7"))
def shred_delivery_contacts() -> list[str]:
    """Crypto-shred the delivery contacts of months that are over (plus grace)."""
    with service_context():
        return delivery.shred_expired()


@huey.periodic_task(crontab(hour="3", minute="17"))
def retention_purge() -> int:
    """Erase clients inactive for longer than their salon's retention period."""
    with service_context():
        return clientbook.purge_inactive()


@huey.task()
def send_message(message_id: int) -> None:
    """Send one message of the ledger if it is still owed (the payload is its id)."""
    with service_context():
        observability.MESSAGES.labels(ledger.deliver(message_id)).inc()


def dispatch_due_now() -> int:
    """In a web process, after a request: queue the messages it armed due now (the
    confirmation request of a booking, …) at once instead of at the next sweep.
    If the queue cannot take them, they go back to pending: the sweeper sends them.
    The request's answer stands whatever happens here (it has committed)."""
    due = ledger.take_due_now()
    try:
        return _enqueue(ledger.claim_ids(due)) if due else 0
    except Exception as exc:  # noqa: BLE001 - the database went away: the sweeper's turn
        logging.getLogger("hushbook").warning("queueing failed: %s", type(exc).__name__)
        return 0


def _enqueue(ids: list[int]) -> int:
    """One ``send_message`` task per row taken; if the queue cannot take one, that
    row and the rest go back to pending at once (no lease left to wait out)."""
    for n, message_id in enumerate(ids):
        try:
            send_message(message_id)
        except Exception as exc:  # noqa: BLE001 - the queue is down: the sweeper's turn
            logging.getLogger("hushbook").warning("queueing failed: %s", type(exc).__name__)
            ledger.release(ids[n:])
            return n
    return len(ids)


def install_dispatch(app: Flask) -> None:
    """Make ``app`` (a web process) queue what each request armed due now, once the
    request's transaction is over (:func:`dispatch_due_now`)."""

    @app.after_request
    def _dispatch(response):
        dispatch_due_now()
        return response


def enqueue_due() -> int:
    """Queue every message that is due (or whose sender vanished): the sweeper."""
    with service_context():
        return _enqueue(ledger.claim_due())


def renew_leases() -> int:
    """The worker's heartbeat: it keeps the rows it is sending (``ledger.renew_leases``)."""
    with service_context():
        return ledger.renew_leases()


@huey.periodic_task(crontab(minute="*"))
def sweep_messages() -> None:
    """Backstop for the worker's own sweeper thread (``hushbook worker``)."""
    enqueue_due()
