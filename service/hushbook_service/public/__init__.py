"""The public booking flow (stealth): visitors, metering, proof-of-work,
offers, bookings with double opt-in, and manage links."""
