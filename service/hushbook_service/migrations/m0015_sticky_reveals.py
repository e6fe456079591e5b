"""Sticky reveals (issue 19): a revealed start remembers how long an offer at it
was (its free time told) and how long the longest one with a name, and ``day``
becomes the start's local date (the disclosure budget is per date, not per day
of asking)."""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import RevealedStart


def up(db):
    add_missing_columns(db, RevealedStart, RevealedStart.until, RevealedStart.named_until)
    # rows counted per day of asking say nothing about their date's budget
    RevealedStart.delete().where(RevealedStart.until == 0).execute()
