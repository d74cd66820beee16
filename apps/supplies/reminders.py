"""Reminder rules of the supplies app (see apps.notifications.rules)."""

import datetime

from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import Finding, Summary, dated_findings, object_url, register

from .models import Lot, Site, StorageMode
from .services import shortfalls

EXPIRY_DAYS = 30
CONTRACT_DAYS = 30


@register(
    "supplies.check_due",
    _("储备库/点检查到期"),
    summary=Summary(
        _("%(unit)s有 %(n)d 个储备库/点已到日常维护/盘点日期，最早的应于 %(due)s 进行"),
        "supplies:list",
    ),
)
def check_due(today):
    return dated_findings(
        Site.objects.filter(is_active=True, next_check_date__lte=today),
        date_field="next_check_date",
        name_field="name",
        title=_("储备库/点“%(name)s”应于 %(due)s 进行日常维护/盘点"),
        url_name="supplies:site_detail",
    )


@register(
    "supplies.lot_expiring",
    _("物资即将过期"),
    summary=Summary(
        _("%(unit)s有 %(n)d 个物资批次已过期或将于 30 天内到期，最早的到期日为 %(due)s"),
        "supplies:overview",
    ),
)
def lot_expiring(today):
    """Each lot by its site, item and lot number, so no two lines read the same; once its date
    has passed the lot is reminded again (a new key) as expired, to be written off (报损)."""
    url = object_url("supplies:site_detail")
    expired_title = str(
        _("“%(site)s”%(item)s（批次 %(lot)s，%(quantity)s%(unit)s）%(due)s 到期，已过期，请报损")
    )
    expiring_title = str(
        _("“%(site)s”%(item)s（批次 %(lot)s，%(quantity)s%(unit)s）将于 %(due)s 到期")
    )
    rows = (
        Lot.objects.filter(
            quantity__gt=0,
            expiry_date__isnull=False,
            expiry_date__lte=today + datetime.timedelta(days=EXPIRY_DAYS),
            site__is_active=True,
        )
        .order_by()
        .values(
            "pk",
            "lot_no",
            "quantity",
            "expiry_date",
            "site_id",
            "site__name",
            "site__org_unit__path",
            "item__name",
            "item__unit",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        due = row["expiry_date"]
        expired = due < today
        values = {
            "site": row["site__name"],
            "item": row["item__name"],
            "lot": row["lot_no"],
            "due": due,
            "quantity": row["quantity"],
            "unit": row["item__unit"],
        }
        yield Finding(
            key=f"{row['pk']}:{due}" + (":expired" if expired else ""),
            unit_path=row["site__org_unit__path"],
            title=(expired_title if expired else expiring_title) % values,
            url=url(row["site_id"]),
            due=due,
        )


@register("supplies.contract_ending", _("协议储备即将到期"))
def contract_ending(today):
    url = object_url("supplies:site_detail")
    rows = Site.objects.filter(
        is_active=True,
        mode=StorageMode.AGREEMENT,
        contract_end__isnull=False,
        contract_end__lte=today + datetime.timedelta(days=CONTRACT_DAYS),
    ).values("pk", "name", "contract_end", "org_unit__path")
    for row in rows.iterator(chunk_size=2000):
        due = row["contract_end"]
        ended = due < today
        if ended:
            title = _("协议储备“%(name)s”的协议已于 %(due)s 到期，请续签或停用")
        else:
            title = _("协议储备“%(name)s”的协议将于 %(due)s 到期")
        yield Finding(
            key=f"{row['pk']}:{due}" + (":ended" if ended else ""),
            unit_path=row["org_unit__path"],
            title=str(title) % {"name": row["name"], "due": due},
            url=url(row["pk"]),
            due=due,
        )


@register("supplies.below_standard", _("物资低于配置标准"))
def below_standard(today):
    """A standing condition: reminded once a month while it lasts."""
    url = object_url("supplies:site_detail")
    rows = (
        shortfalls(today=today)
        .filter(site__is_active=True)
        .values(
            "pk",
            "site_id",
            "site__name",
            "item__name",
            "item__unit",
            "site__org_unit__path",
            "minimum",
            "on_hand",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        yield Finding(
            key=f"{row['pk']}:{today:%Y-%m}",
            unit_path=row["site__org_unit__path"],
            title=str(
                _(
                    "截至 %(date)s，“%(site)s”的%(item)s低于配置标准"
                    "（现有 %(on_hand)s%(unit)s，应储 %(minimum)s%(unit)s）"
                )
            )
            % {
                "date": today,
                "site": row["site__name"],
                "item": row["item__name"],
                "unit": row["item__unit"],
                "on_hand": row["on_hand"],
                "minimum": row["minimum"],
            },
            url=url(row["site_id"]),
        )
