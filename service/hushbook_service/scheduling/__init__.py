"""Scheduling: the pure slot engine, offer selection, and the booking write path
(no double booking, state transitions, moves)."""
