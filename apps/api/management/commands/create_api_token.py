"""``manage.py create_api_token <client>``: a new token of an integration client (by name or
id), printed once; only its digest is kept. ``--rotate`` revokes the client's other tokens."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.api.models import ApiClient, ApiToken


class Command(BaseCommand):
    help = "Issue a token for an API client and print it once."

    def add_arguments(self, parser):
        parser.add_argument("client", help="the client's name or id")
        parser.add_argument("--label", default="create_api_token")
        parser.add_argument(
            "--rotate", action="store_true", help="revoke the client's other tokens"
        )

    def handle(self, client, label, rotate, **options):
        found = ApiClient.objects.filter(name=client).first()
        if found is None and client.isdigit():
            found = ApiClient.objects.filter(pk=int(client)).first()
        if found is None:
            names = ", ".join(ApiClient.objects.values_list("name", flat=True)[:20])
            raise CommandError(f"No API client {client!r}. Clients: {names or 'none'}")
        with transaction.atomic():
            if rotate:
                ApiToken.revoke_all(found.tokens.all())
            _token, plaintext = ApiToken.issue(found, label=label)
        self.stdout.write(plaintext)
