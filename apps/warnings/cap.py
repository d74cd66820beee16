"""CAP 1.2 (OASIS Common Alerting Protocol) in: an uploaded alert becomes a draft warning of
the importing unit, an Update a draft that supersedes the alert it references, a Cancel ends
it.

The XML is parsed with defusedxml (no DTDs, no entities, no network: a hostile file cannot
expand or fetch anything) after a size check, and only the fields used here are read and
validated; any fault is one clear message and nothing is created. The CAP libraries on PyPI
were unmaintained or bound to an unhardened parser, so the few fields are read by hand.
"""

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.orgs.models import OrgUnit, User

from . import services
from .models import Level, Source, Status, Warning, WarningType

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
MAX_BYTES = 512 * 1024
MSG_TYPES = {"Alert", "Update", "Cancel"}
SEVERITY_LEVELS = {
    "Extreme": Level.RED,
    "Severe": Level.ORANGE,
    "Moderate": Level.YELLOW,
    "Minor": Level.BLUE,
}
COLOUR_WORDS = {"红色": Level.RED, "橙色": Level.ORANGE, "黄色": Level.YELLOW, "蓝色": Level.BLUE}


def _text(element, name):
    found = element.find(f"{{{CAP_NS}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _time(value, name):
    parsed = parse_datetime(value) if value else None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(
            _("CAP 文件的 %(field)s 不是带时区的时间（如 2026-07-01T08:00:00+08:00）。")
            % {"field": name}
        )
    return parsed


def parse_alert(data: bytes) -> dict:
    """The fields of a CAP 1.2 alert this portal uses, validated."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("CAP 文件过大（上限 512 KB）。"))
    try:
        root = fromstring(data)
    except DefusedXmlException as exc:
        raise ValidationError(_("CAP 文件含有不允许的 DTD 或实体声明，已拒绝。")) from exc
    except Exception as exc:  # noqa: BLE001 - ParseError and encoding errors alike
        raise ValidationError(_("文件不是有效的 XML，无法读取。")) from exc
    if root.tag != f"{{{CAP_NS}}}alert":
        raise ValidationError(_("文件不是 CAP 1.2 预警（根元素须为 CAP 1.2 命名空间的 alert）。"))
    alert = {name: _text(root, name) for name in ("identifier", "sender", "sent", "msgType")}
    missing = [name for name, value in alert.items() if not value]
    if missing:
        raise ValidationError(
            _("CAP 文件缺少必填项：%(fields)s。") % {"fields": "、".join(missing)}
        )
    if alert["msgType"] not in MSG_TYPES:
        raise ValidationError(_("不支持的 CAP 消息类型：%(type)s。") % {"type": alert["msgType"]})
    alert["references"] = [
        part.split(",")[1] for part in _text(root, "references").split() if part.count(",") == 2
    ]
    if alert["msgType"] != "Alert" and not alert["references"]:
        raise ValidationError(_("CAP 更新或解除消息须引用原预警（references）。"))
    info = root.find(f"{{{CAP_NS}}}info")
    if info is None:
        raise ValidationError(_("CAP 文件缺少预警信息（info）。"))
    alert.update(
        {name: _text(info, name) for name in ("event", "severity", "headline", "description")}
    )
    alert["senderName"] = _text(info, "senderName")
    alert["sent"] = _time(alert["sent"], "sent")
    alert["expires"] = _time(_text(info, "expires"), "expires")
    if not alert["event"] or not alert["headline"]:
        raise ValidationError(_("CAP 文件缺少预警事件（event）或标题（headline）。"))
    alert["codes"], alert["names"] = [], []
    for area in info.findall(f"{{{CAP_NS}}}area"):
        alert["names"] += _text(area, "areaDesc").replace("、", " ").split()
        for geocode in area.findall(f"{{{CAP_NS}}}geocode"):
            alert["codes"].append(_text(geocode, "value"))
    return alert


def _level(alert):
    for word, level in COLOUR_WORDS.items():
        if word in alert["headline"] or word in alert["event"]:
            return level
    if alert["severity"] in SEVERITY_LEVELS:
        return SEVERITY_LEVELS[alert["severity"]]
    raise ValidationError(_("无法从 CAP 文件确定预警级别（标题中的颜色或 severity）。"))


def _warning_type(alert):
    for warning_type in WarningType.objects.filter(is_active=True):
        if warning_type.name in alert["event"] or warning_type.name in alert["headline"]:
            return warning_type
    raise ValidationError(_("无法识别预警种类：%(event)s。") % {"event": alert["event"]})


def _source(alert):
    sender = alert["senderName"] + alert["sender"]
    if "区气象" in sender:
        return Source.DISTRICT_MET
    if "防汛" in sender:
        return Source.FLOOD_OFFICE
    if "应急" in sender:
        return Source.EMERGENCY_BUREAU
    return Source.CITY_MET


def _areas(alert, issuer):
    units = list(
        OrgUnit.objects.subtree(issuer).filter(
            Q(code__in=alert["codes"]) | Q(name__in=alert["names"])
        )
    )
    if not units:
        raise ValidationError(
            _("CAP 文件的预警范围不在%(issuer)s辖区内（区域编码或名称均未匹配）。")
            % {"issuer": issuer.name}
        )
    return units


def _referenced(alert):
    warning = Warning.objects.filter(identifier__in=alert["references"]).first()
    if warning is None:
        raise ValidationError(_("找不到该 CAP 消息引用的原预警，请先导入原预警。"))
    return warning


@transaction.atomic
def import_cap(user: User, data: bytes, *, issuer: OrgUnit) -> Warning:
    """Import one CAP 1.2 alert for ``issuer``: Alert → a draft, Update → a draft superseding
    the referenced warning, Cancel → the referenced warning cancelled. Drafts are approved and
    published like any other."""
    alert = parse_alert(data)
    if Warning.objects.filter(identifier=alert["identifier"]).exists():
        raise ValidationError(_("该 CAP 预警（%(id)s）已导入。") % {"id": alert["identifier"]})
    if alert["msgType"] == "Cancel":
        return services.cancel_warning(
            user, _referenced(alert), reason=_("CAP 解除：%(headline)s") % alert
        )
    supersedes = _referenced(alert) if alert["msgType"] == "Update" else None
    if supersedes is not None and supersedes.status != Status.PUBLISHED:
        raise ValidationError(_("只能更新已发布的预警；已解除或已更新的预警不能再更新。"))
    if alert["expires"] <= alert["sent"]:
        raise ValidationError(_("CAP 文件的失效时间早于发送时间。"))
    warning = Warning(
        org_unit=issuer,
        warning_type=_warning_type(alert),
        level=_level(alert),
        source=_source(alert),
        headline=alert["headline"][:200],
        text=alert["description"] or alert["headline"],
        expires_at=alert["expires"],
        identifier=alert["identifier"][:200],
    )
    return services.save_warning(user, warning, areas=_areas(alert, issuer), supersedes=supersedes)
