"""The main navigation. Every domain app is listed here once; an entry shows only when its
URL exists, so an app appears in the menu the moment its URLs are included."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The bar's own labels carry the context "menu": their English is short ("Plans", not
# "Emergency plans"), so the bar fits on one line at 1,400 pixels in English too.
MAIN_MENU = [
    ("home", pgettext_lazy("menu", "工作台")),
    # 战时: one menu, so that the peacetime entries keep their place on a 1366-pixel screen
    (
        pgettext_lazy("menu", "应急指挥"),
        [
            ("warnings:list", _("预警叫应")),
            ("duty:list", _("值班值守")),
            ("incidents:list", _("信息报送")),
            ("response:list", _("应急响应")),
        ],
    ),
    ("plans:list", pgettext_lazy("menu", "应急预案")),
    ("hazards:list", pgettext_lazy("menu", "风险隐患")),
    ("supplies:list", pgettext_lazy("menu", "应急物资")),
    ("shelters:list", pgettext_lazy("menu", "避难场所")),
    ("drills:list", pgettext_lazy("menu", "应急演练")),
    ("people:list", pgettext_lazy("menu", "队伍与人员")),
    ("orgs:accounts", pgettext_lazy("menu", "基层账号")),
    ("applications:list", pgettext_lazy("menu", "示范社区创建")),
    ("reports:list", pgettext_lazy("menu", "报表")),
]


# What the front line gets instead (apps.orgs.frontline keeps it off the desk pages), and the
# bottom bar of every phone page.
MOBILE_MENU = [
    ("mobile:home", _("我的任务")),
    ("mobile:report", _("上报隐患")),
]


def _menu(entries):
    """The entries whose URL exists; a group (a label and its entries) as ``children``, shown
    when any of them is."""
    items = []
    for name, label in entries:
        if isinstance(label, list):
            children = _menu(label)
            if children:
                namespaces = {child["namespace"] for child in children}
                items.append({"label": name, "children": children, "namespaces": namespaces})
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append(
            {"name": name, "namespace": name.partition(":")[0], "label": label, "url": url}
        )
    return items


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    mobile_menu = _menu(MOBILE_MENU)
    main_menu = mobile_menu if request.user.is_frontline else _menu(MAIN_MENU)
    return {"main_menu": main_menu, "mobile_menu": mobile_menu}
