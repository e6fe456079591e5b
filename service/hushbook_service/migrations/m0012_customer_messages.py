"""Messages in the customer's language and on their channel; the team told.

The appointment keeps the customer's language and its calendar SEQUENCE; a team
member can turn the booking e-mails off; a ledger row names the team member it
goes to (team_* kinds), so the unique key of the ledger grows by that column.
"""

from hushbook_service.migrations import add_missing_columns
from hushbook_service.models import Appointment, Message, Staff

OLD_INDEX = "message_appointment_id_kind_channel"
NEW_INDEX = "message_appointment_id_kind_channel_recipient"


def up(db):
    add_missing_columns(db, Appointment, Appointment.locale, Appointment.ics_sequence)
    add_missing_columns(db, Staff, Staff.notify_bookings)
    add_missing_columns(db, Message, Message.recipient)
    present = {index.name for index in db.get_indexes("message")}
    if NEW_INDEX not in present:
        db.execute_sql(
            f'CREATE UNIQUE INDEX "{NEW_INDEX}" ON "message" '
            '("appointment_id", "kind", "channel", "recipient")'
        )
    if OLD_INDEX in present:
        db.execute_sql(f'DROP INDEX "{OLD_INDEX}"')
