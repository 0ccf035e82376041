"""Engine parity: every place that branches on `connection.vendor` answers the same on both engines.

The same cases (tests/parity/cases) run on PostgreSQL inside pytest and on a fresh SQLite database
in one subprocess per session (tests/parity/engine_runner.py); the tests compare the answers.
"""
