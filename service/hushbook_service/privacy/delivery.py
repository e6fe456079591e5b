"""Delivery contacts: what a reminder is sent to, sealed apart from the client book.

The contact is sealed (HPKE) to the *delivery key* of the appointment's month.
The private halves live outside the database (``HUSHBOOK_DELIVERY_KEYS_DIR``,
one file per month). Only the code that sends a message opens a contact;
when a month and its grace period are over, its key file is deleted — every
contact sealed to it is then unreadable, in the database and in every backup
(crypto-shredding).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app

from hushbook import sealing
from hushbook_service.db import utcnow
from hushbook_service.models import Appointment, DeliveryContact

KEY_SUFFIX = ".key"


def _dir() -> Path:
    return current_app.config["HUSHBOOK"].delivery_keys_dir


def epoch_of(when: datetime) -> str:
    return when.strftime("%Y-%m")


def bookable_epochs(now: datetime, months: int = 13) -> set[str]:
    """This month and the next ``months - 1``, counted by calendar month."""
    year, month = now.year, now.month
    found = set()
    for _ in range(months):
        found.add(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def move(appointment: Appointment, old_start: datetime) -> None:
    """Re-seal the contact when a move changes the month (so it is shredded with
    the month the appointment now lies in)."""
    if epoch_of(old_start) == epoch_of(appointment.start_at):
        return
    row = DeliveryContact.get_or_none(DeliveryContact.appointment == appointment.id)
    if row is None:
        return
    contact = open_contact(appointment)
    if contact is None:
        return
    seal_contact(appointment, contact, prefer=channels(appointment)[0])


def _epoch_end(epoch: str) -> datetime:
    year, month = map(int, epoch.split("-"))
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def shred_due(epoch: str, now: datetime, grace: timedelta) -> bool:
    """Whether a month's key is to be deleted by now (its month and grace are over);
    backups ask too, so that no restore brings such a key back."""
    return _epoch_end(epoch) + grace <= now


def _private_key(epoch: str, create: bool) -> sealing.EccKey | None:
    folder = _dir()
    path = folder / f"{epoch}{KEY_SUFFIX}"
    if not path.exists():
        if not create:
            return None
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        raw = sealing.export_private_key(sealing.generate_keypair().private_key)
        try:  # several workers may race: the first file wins, the others read it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
        except FileExistsError:
            pass
    return sealing.import_private_key(path.read_bytes())


def public_key(epoch: str) -> str:
    """The month's public delivery key (base64url) that browsers may seal to."""
    key = _private_key(epoch, create=True)
    assert key is not None  # created when missing
    return sealing.b64e(sealing.export_public_key(key.public_key()))


def _binding(appointment: Appointment) -> bytes:
    return sealing.aad(appointment.tenant_id, "appointment", appointment.id, "contact")


CHANNELS = {"email": "email", "phone": "sms"}  # contact kind -> message channel


def seal_contact(
    appointment: Appointment,
    contact: dict[str, str],
    prefer: str | None = None,
    replace: bool = True,
) -> DeliveryContact:
    """Seal ``{"email"|"phone": …}`` for ``appointment`` (after its insert).

    ``prefer``: the channel (``email`` or ``sms``) the customer wants messages on;
    the other is only a fallback. Without it, e-mail comes first. ``replace``
    off: the appointment was inserted in this transaction, it has none yet."""
    kinds = [k for k in ("email", "phone") if contact.get(k)]
    kinds.sort(key=lambda k: CHANNELS[k] != prefer)  # stable: the preferred first
    epoch = epoch_of(appointment.start_at)
    key = _private_key(epoch, create=True)
    assert key is not None  # created when missing
    blob = sealing.seal(
        key.public_key(),
        json.dumps(contact, sort_keys=True).encode(),
        _binding(appointment),
        purpose=sealing.PURPOSE_DELIVERY,
    )
    if replace:
        DeliveryContact.delete().where(DeliveryContact.appointment == appointment.id).execute()
    return DeliveryContact.create(
        tenant=appointment.tenant_id,
        appointment=appointment.id,
        epoch=epoch,
        sealed=sealing.b64e(blob),
        kinds=" ".join(kinds),
    )


def channels(appointment: Appointment) -> list[str]:
    """The channels a message for ``appointment`` can go out on, the customer's
    preferred first (no contact opened)."""
    row = DeliveryContact.get_or_none(DeliveryContact.appointment == appointment.id)
    if row is None:
        return []
    return [CHANNELS[k] for k in row.kinds.split()]


def open_contact(appointment: Appointment) -> dict[str, str] | None:
    """For the sending code only. ``None`` when there is none or it was shredded."""
    row = DeliveryContact.get_or_none(DeliveryContact.appointment == appointment.id)
    if row is None:
        return None
    key = _private_key(row.epoch, create=False)
    if key is None:
        return None
    plain = sealing.open_sealed(
        key, sealing.b64d(row.sealed), _binding(appointment), purpose=sealing.PURPOSE_DELIVERY
    )
    return json.loads(plain)


def forget(appointment: Appointment) -> None:
    """Drop the contact of an appointment that will send nothing more."""
    DeliveryContact.delete().where(DeliveryContact.appointment == appointment.id).execute()


def shred_expired(now: datetime | None = None) -> list[str]:
    """Delete the keys (and rows) of months whose appointments and grace are over."""
    now = now or utcnow()
    grace = timedelta(days=current_app.config["HUSHBOOK"].delivery_grace_days)
    shredded = []
    folder = _dir()
    epochs = (
        {p.name.removesuffix(KEY_SUFFIX) for p in folder.glob(f"*{KEY_SUFFIX}")}
        if folder.exists()
        else set()
    )
    epochs |= {r.epoch for r in DeliveryContact.select(DeliveryContact.epoch).distinct()}
    for epoch in sorted(epochs):
        if shred_due(epoch, now, grace):
            DeliveryContact.delete().where(DeliveryContact.epoch == epoch).execute()
            (folder / f"{epoch}{KEY_SUFFIX}").unlink(missing_ok=True)
            shredded.append(epoch)
    return shredded
