"""Stealth against the hold walk (issue 19): an online booking remembers whether a
new contact made it and when it was confirmed; the starts revealed to unverified
visitors are counted per day (the salon's disclosure budget)."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import Appointment, RevealedStart


def up(db):
    add_missing_columns(db, Appointment, Appointment.new_contact, Appointment.confirmed_at)
    db.create_tables([RevealedStart], safe=True)
