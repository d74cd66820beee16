"""Demo data of the open API: 华阳路街道's client of the city's 一网统管 platform, with every
scope, and a webhook subscription to a local address (inactive: nothing listens there in the
demo). No token is made here: ``manage.py create_api_token 一网统管·华阳路街道`` prints one
(README, "Open API")."""

from apps.orgs.models import OrgUnit

from .models import ApiClient, Scope, WebhookEvent, WebhookSubscription

DEMO_CLIENT = "一网统管·华阳路街道"
HUAYANG = "310105001"


def seed_demo(stdout):
    unit = OrgUnit.objects.get(code=HUAYANG)
    client = ApiClient.objects.filter(name=DEMO_CLIENT).first() or ApiClient(name=DEMO_CLIENT)
    client.org_unit = unit
    client.scopes = list(Scope.values)
    client.contact = "华阳路街道城运分中心"
    client.note = "演示：一网统管平台对接（工单上报隐患、预警、事件、人口户数）。"
    client.is_active = True
    client.save()
    WebhookSubscription.objects.get_or_create(
        client=client,
        url="http://127.0.0.1:9000/portal-webhooks",
        defaults={
            "events": [e for e in WebhookEvent.values if e != WebhookEvent.PING],
            "is_active": False,
        },
    )
    stdout.write(f"api: client {DEMO_CLIENT} (a token: manage.py create_api_token)")
