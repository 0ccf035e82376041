"""Writes of the bookings app: `<noun>_<verb>(*, ...)`, keyword-only."""
