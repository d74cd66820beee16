"""The rules of review beyond the desk (``models.reviews``):

- a 现场核查 is recorded by a reviewer of the applicant's district (or an admin) while the
  application is 区级审核中; its item scores are written into the application's scores, as the
  district's score, in the same transaction;
- a 动态管理抽查 is recorded every year after the award (from the year after it, while the title
  is valid), once per year, by the district's reviewers or the city (admins); the years an
  awarded community is due are listed by ``spot_checks_due``;
- a 复审 is recorded by the city (admins) from ``REREVIEW_WINDOW_DAYS`` before the title's
  复审日期; at or above the pass mark it renews the title for ``RENEWAL_YEARS`` (a 复审通过 step
  of the application's history), below it the title stands until the city revokes it.

Scores follow the items' rules (``services.parse_points``): all or nothing, with the item's
number in the message.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.files.uploads import reencode_image, validate_image
from apps.orgs.models import User
from resilience.dates import add_years

from . import services
from .models import Action, Application, ApplicationEvent, ItemAssessment, State
from .models.reviews import Inspection, InspectionKind, InspectionPhoto, InspectionScore

MAX_PHOTOS = 20
REREVIEW_WINDOW_DAYS = 60  # as the reminder of the 复审 (reminders.REREVIEW_SOON_DAYS)
RENEWAL_YEARS = 3


def may_inspect(user: User, application: Application, kind: str) -> bool:
    if kind == InspectionKind.SITE:
        return services.is_reviewer(user, application)
    if kind == InspectionKind.REREVIEW:
        return services.is_city_admin(user, application)
    return services.is_reviewer(user, application) or services.is_city_admin(user, application)


def check_state(application: Application, kind: str, year: int) -> None:
    if kind == InspectionKind.SITE:
        if application.state != State.IN_REVIEW:
            raise ValidationError(
                _("现场核查在区级审核中进行，申报当前状态为“%(state)s”。")
                % {"state": application.get_state_display()}
            )
        return
    if application.state != State.AWARDED or application.award_date is None:
        raise ValidationError(_("动态管理抽查和复审针对已授牌的示范社区。"))
    if kind == InspectionKind.REREVIEW:
        opens = (application.rereview_date or datetime.date.max) - datetime.timedelta(
            days=REREVIEW_WINDOW_DAYS
        )
        if timezone.localdate() < opens:
            raise ValidationError(
                _("复审日期为 %(date)s，%(opens)s 起可以复审。")
                % {"date": application.rereview_date, "opens": opens}
            )
        return
    if year <= application.award_date.year:
        raise ValidationError(
            _("授牌当年不抽查，%(year)s年起每年抽查。") % {"year": application.award_date.year + 1}
        )
    if application.valid_until and application.valid_until < datetime.date(year, 1, 1):
        raise ValidationError(_("称号已于 %(date)s 到期。") % {"date": application.valid_until})


@transaction.atomic
def record_inspection(
    user: User,
    application: Application,
    *,
    kind: str,
    checked_on: datetime.date,
    checkers: str,
    findings: str = "",
    scores: dict | None = None,
    photos=(),
) -> Inspection:
    """Record one inspection: ``scores`` maps item id → (points as typed, note)."""
    application = (
        Application.objects.select_for_update()
        .select_related("org_unit", "standard")
        .get(pk=application.pk)
    )
    if not may_inspect(user, application, kind):
        raise PermissionDenied(_("只有申报单位所在区的审核员或市级可以记录核查。"))
    year = checked_on.year
    check_state(application, kind, year)
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("核查日期不能晚于今天。")})
    if not (checkers or "").strip():
        raise ValidationError({"checkers": _("请填写核查人员。")})
    rows = {
        a.item_id: a
        for a in ItemAssessment.objects.filter(application=application).select_related(
            "item__aspect"
        )
    }
    errors, parsed = [], {}
    for item_id, (raw, note) in (scores or {}).items():
        row = rows.get(item_id)
        if row is None:
            raise ValidationError(_("评审细则不属于本申报的评审标准。"))
        try:
            parsed[item_id] = (services.parse_points(raw, row.item, label=_("核查得分")), note)
        except ValidationError as exc:
            errors.extend(exc.messages)
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        errors.append(_("每次核查最多 %(n)d 张照片。") % {"n": MAX_PHOTOS})
    for upload in photos:
        try:
            validate_image(upload)
        except ValidationError as exc:
            errors.extend(f"{upload.name}：{m}" for m in exc.messages)
    if errors:
        raise ValidationError(errors)
    scored = [value for value, _note in parsed.values() if value is not None]
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                application=application,
                kind=kind,
                year=year,
                checked_on=checked_on,
                checkers=checkers.strip(),
                findings=(findings or "").strip(),
                score=sum(scored, Decimal("0")) if scored else None,
                created_by=user,
            )
    except IntegrityError:
        raise ValidationError(_("该示范社区本年度已有动态管理抽查记录。")) from None
    InspectionScore.objects.bulk_create(
        InspectionScore(
            inspection=inspection, item_id=item_id, score=value, note=(note or "")[:300]
        )
        for item_id, (value, note) in parsed.items()
    )
    for upload in photos:
        InspectionPhoto.objects.create(
            inspection=inspection,
            image=reencode_image(upload),
            original_name=upload.name[:255],
            uploaded_by=user,
        )
    if kind == InspectionKind.SITE:
        # the district's on-site scores are its scores of the application
        now = timezone.now()
        changed = []
        for item_id, (value, _note) in parsed.items():
            row = rows[item_id]
            if value is not None and value != row.score:
                row.score, row.scored_by, row.scored_at = value, user, now
                changed.append(row)
        ItemAssessment.objects.bulk_update(
            changed, ["score", "scored_by", "scored_at", "updated_at"]
        )
    if kind == InspectionKind.REREVIEW and inspection.passed:
        _renew(user, application, inspection)
    return inspection


def _renew(user, application, inspection):
    """复审通过: the title is valid for ``RENEWAL_YEARS`` more years from its 复审日期."""
    start = max(application.rereview_date or inspection.checked_on, inspection.checked_on)
    application.valid_until = add_years(start, RENEWAL_YEARS)
    application.rereview_date = application.valid_until
    application.updated_by = user
    application.save(update_fields=["valid_until", "rereview_date", "updated_by", "updated_at"])
    ApplicationEvent.objects.create(
        application=application,
        action=Action.RENEW,
        from_state=application.state,
        to_state=application.state,
        comment=_("复审得分 %(score)s 分，称号有效期延至 %(until)s。")
        % {"score": inspection.score, "until": application.valid_until.isoformat()},
        actor=user,
        created_at=timezone.now(),
    )


def spot_checks_due(queryset, year: int):
    """The awarded applications of ``queryset`` due for a 动态管理抽查 in ``year`` (awarded
    before it, valid into it), each with ``checked`` (this year's check exists)."""
    done = Inspection.objects.filter(
        application=OuterRef("pk"), kind=InspectionKind.SPOT, year=year
    )
    return (
        queryset.filter(state=State.AWARDED, award_date__year__lt=year)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=datetime.date(year, 1, 1)))
        .annotate(checked=Exists(done))
        .select_related("org_unit__parent", "standard")
        .order_by("checked", "org_unit__path")
    )
