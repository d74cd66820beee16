"""``manage.py load_divisions``: Shanghai's real districts, 街道/镇 and 居委/村 with their
national codes (apps/orgs/divisions.py). Idempotent: existing units (matched by code) and their
users are kept; run it again and nothing changes."""

from auditlog.context import disable_auditlog
from django.core.management.base import BaseCommand

from apps.orgs.divisions import load_divisions
from apps.orgs.models import OrgUnit


class Command(BaseCommand):
    help = "Load Shanghai's 16 districts, 234 街道/镇 and 6,509 居委/村 with their codes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update-names",
            action="store_true",
            help="Give units that already exist their official names (default: keep them).",
        )

    def handle(self, *args, update_names, **options):
        with disable_auditlog():
            result = load_divisions(OrgUnit, update_names=update_names)
        self.stdout.write(self.style.SUCCESS(str(result)))
