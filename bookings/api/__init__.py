"""The bookings REST API: guests (search, availability, book, cancel, guarantee) and partners
(bookings with virtual numbers, cancel with reason, calendar, feeds, conflicts)."""
