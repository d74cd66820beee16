"""Reminder rules of the supplies app (see apps.notifications.rules)."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import Finding, dated_findings, register

from .models import Lot, Site, StorageMode
from .services import shortfalls

EXPIRY_DAYS = 30
CONTRACT_DAYS = 30


@register("supplies.check_due", _("储备库/点检查到期"))
def check_due(today):
    return dated_findings(
        Site.objects.filter(is_active=True, next_check_date__lte=today),
        date_field="next_check_date",
        name_field="name",
        title=_("储备库/点“%(name)s”应于 %(due)s 进行日常维护/盘点"),
        url_name="supplies:site_detail",
    )


@register("supplies.lot_expiring", _("物资即将过期"))
def lot_expiring(today):
    lots = Lot.objects.filter(
        quantity__gt=0,
        expiry_date__isnull=False,
        expiry_date__lte=today + datetime.timedelta(days=EXPIRY_DAYS),
        site__is_active=True,
    )
    return dated_findings(
        lots,
        date_field="expiry_date",
        name_field="item__name",
        title=_("物资“%(name)s”有批次将于 %(due)s 到期"),
        url_name="supplies:site_detail",
        path="site__org_unit__path",
        url_pk="site_id",
    )


@register("supplies.contract_ending", _("协议储备即将到期"))
def contract_ending(today):
    sites = Site.objects.filter(
        is_active=True,
        mode=StorageMode.AGREEMENT,
        contract_end__isnull=False,
        contract_end__lte=today + datetime.timedelta(days=CONTRACT_DAYS),
    )
    return dated_findings(
        sites,
        date_field="contract_end",
        name_field="name",
        title=_("协议储备“%(name)s”的协议将于 %(due)s 到期"),
        url_name="supplies:site_detail",
    )


@register("supplies.below_standard", _("物资低于配置标准"))
def below_standard(today):
    """A standing condition: reminded once a month while it lasts."""
    rows = (
        shortfalls()
        .filter(site__is_active=True)
        .values("pk", "site_id", "site__name", "item__name", "site__org_unit__path")
    )
    for row in rows.iterator(chunk_size=2000):
        yield Finding(
            key=f"{row['pk']}:{today:%Y-%m}",
            unit_path=row["site__org_unit__path"],
            title=str(_("“%(site)s”的%(item)s低于配置标准"))
            % {"site": row["site__name"], "item": row["item__name"]},
            url=reverse("supplies:site_detail", args=[row["site_id"]]),
        )
