"""The risk model both scorers apply (risk.py in PostgreSQL, risk_portable.py in Python for SQLite):
its version, the weight of each component, the size bands prices are compared in, and how much each
verification level still leaves to chance."""

VERSION = "v1"
WEIGHTS = {"price": 30, "photo": 25, "reports": 20, "strikes": 10, "verification": 7, "young": 4, "stale": 4}
SIZE_BANDS = (20, 33, 60, 85, 135)  # m²: studio, small, medium, 85 (국민주택규모), large, very large
MIN_GROUP = 8  # fewer comparable listings than this: no price signal
VERIFICATION_RISK = {0: 1.0, 1: 0.6, 2: 0.4, 3: 0.15, 4: 0.0}
