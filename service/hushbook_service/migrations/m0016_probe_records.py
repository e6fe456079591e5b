"""Probes (issue 19) are counted from the holds a probe keeps (public/probes.py).
Until now the salon's cancellations and completed or missed bookings left their
holds behind, unused: they go, so that none of them is read as a probe."""

from hushbook_service.models import Appointment, PendingHold


def up(db):
    ended = Appointment.select(Appointment.id).where(
        Appointment.status.not_in(("pending", "confirmed"))
    )
    PendingHold.delete().where(PendingHold.appointment.in_(ended)).execute()
