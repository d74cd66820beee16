import datetime

from django.core.management.base import BaseCommand

from apps.notifications.rules import RULES
from apps.notifications.services import run_sweep


class Command(BaseCommand):
    help = "Run the reminder sweep now (what Celery beat runs daily); safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="As of YYYY-MM-DD")
        parser.add_argument("--rule", action="append", choices=sorted(RULES), dest="rules")

    def handle(self, *args, date=None, rules=None, **options):
        created = run_sweep(today=date, rules=rules)
        for code, count in created.items():
            self.stdout.write(f"{code}: {count} new")
        self.stdout.write(self.style.SUCCESS(f"{sum(created.values())} new notifications."))
