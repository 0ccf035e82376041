"""Run every parity case on a fresh SQLite database and write the answers as JSON.

    python -m tests.parity.engine_runner <database file> <answers file>

The environment is the caller's (the same keys, so blind indexes and encryption agree) except the
database, which is a new SQLite file migrated here (its folder holds whatever else the embedded setup
writes), and Redis, which the embedded setup does without: counters and cache live in this process's
memory. One process serves a whole test session.
"""

import json
import os
import sys


def main(database: str, answers_path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    # Cache files, media and the file-system broker of the embedded setup stay beside the database.
    os.environ["VAR_DIR"] = os.path.dirname(os.path.abspath(database))
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")

    import django

    django.setup()

    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0, interactive=False)

    from tests.parity.cases import CASES, run_case

    memory = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    answers = {}
    with override_settings(CACHES=memory):
        for name in CASES:
            cache.clear()  # as the test suite does before every test: no counter carries over
            answers[name] = run_case(name)
    with open(answers_path, "w", encoding="utf-8") as out:
        json.dump({"vendor": connection.vendor, "answers": answers}, out, ensure_ascii=False)


if __name__ == "__main__":
    main(*sys.argv[1:3])
