from datetime import date

from django.core.management.base import BaseCommand, CommandError

from trustplatform.regions.services import catalogue_import
from trustplatform.regions.source import BUNDLED, BUNDLED_AS_OF, SourceError


class Command(BaseCommand):
    help = (
        "Import the official legal-dong list (법정동코드 전체자료: code, name, 존재/폐지; tab- or "
        "comma-separated, CP949 or UTF-8, gzipped or not) and apply the changes made after its date. "
        "Safe to run again: only what differs is written. Without a file, the bundled list of "
        f"{BUNDLED_AS_OF}."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(BUNDLED), help="The official list.")
        parser.add_argument(
            "--as-of",
            help="The day the list was published (YYYY-MM-DD); needed with a file.",
        )

    def handle(self, *args, path: str, as_of: str | None, **options):
        if path != str(BUNDLED) and not as_of:
            raise CommandError("Give --as-of, the day the list was published (YYYY-MM-DD).")
        try:
            day = date.fromisoformat(as_of or BUNDLED_AS_OF)
        except ValueError as error:
            raise CommandError(f"--as-of must be a date such as 2026-11-01: {error}") from error
        try:
            result = catalogue_import(path=path, as_of=day)
        except (OSError, SourceError) as error:
            raise CommandError(str(error)) from error
        current = result.current
        self.stdout.write(
            f"Regions: {result.created:,} added, {result.updated:,} updated, {result.unchanged:,} unchanged. "
            f"In use: {current[1]:,} 시/도, {current[2]:,} 시/군/구, "
            f"{current[3]:,} 읍/면/동, {current[4]:,} 리."
        )
