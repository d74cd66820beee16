"""The rules of the records an application draws its evidence from: the residents'
questionnaire (居民问卷), 科普/宣传/培训 activities with their photos and QR sign-in, and the
yearly funding and insurance. Street staff (and admins) of the owning unit keep them
(``require_edit``); residents answer and sign in from the public pages without an account —
those two functions take no user and keep nothing that tells who answered.

Every function raises ValidationError / PermissionDenied with a Chinese message and changes
nothing when it does.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.files.uploads import reencode_image, validate_image
from apps.orgs.models import OrgKind, OrgUnit, User, require_edit, stamp

from .models import (
    Activity,
    ActivityPhoto,
    Funding,
    Satisfaction,
    SignIn,
    Survey,
    SurveyResponse,
    national_day_of,
)

SURVEY_UNIT_KINDS = (OrgKind.COMMUNITY,)
ACTIVITY_UNIT_KINDS = (OrgKind.STREET, OrgKind.COMMUNITY)
MAX_PHOTOS = 12


def _refuse_kind(unit, kinds, message):
    if unit.kind not in kinds:
        raise ValidationError({"org_unit": message})


# --- the residents' questionnaire -------------------------------------------------------------


@transaction.atomic
def open_survey(
    user: User, *, org_unit: OrgUnit, households: int, opened_on: datetime.date | None = None
) -> Survey:
    """A new questionnaire round for a community; one open round per community."""
    require_edit(user, org_unit, _("您无权为该单位发起居民问卷。"))
    _refuse_kind(org_unit, SURVEY_UNIT_KINDS, _("居民问卷按居委/村发起，请选择居委/村。"))
    if not households or households < 1:
        raise ValidationError({"households": _("请填写社区户数（大于 0）。")})
    if Survey.objects.filter(org_unit=org_unit, closed_on__isnull=True).exists():
        raise ValidationError(
            {"org_unit": _("%(unit)s已有进行中的居民问卷。") % {"unit": org_unit.name}}
        )
    survey = Survey(
        org_unit=org_unit,
        households=households,
        opened_on=opened_on or timezone.localdate(),
    )
    stamp(survey, user)
    survey.full_clean(exclude=["created_by", "updated_by"])
    survey.save()
    return survey


@transaction.atomic
def close_survey(user: User, survey: Survey, *, today: datetime.date | None = None) -> Survey:
    survey = Survey.objects.select_for_update().select_related("org_unit").get(pk=survey.pk)
    require_edit(user, survey.org_unit, _("您无权结束该居民问卷。"))
    if not survey.is_open:
        raise ValidationError(_("该居民问卷已结束。"))
    survey.closed_on = today or timezone.localdate()
    stamp(survey, user)
    survey.save(update_fields=["closed_on", "updated_by", "updated_at"])
    return survey


def record_response(
    survey: Survey,
    *,
    satisfaction: str,
    knows_shelter: bool,
    joined_activity: bool,
    has_kit: bool,
    got_warning: bool,
    today: datetime.date | None = None,
) -> SurveyResponse:
    """One resident's answers (no user: the public page). Only the answers and the day are
    kept."""
    if not survey.is_open:
        raise ValidationError(_("该问卷已结束，感谢您的关注。"))
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择您对社区综合减灾工作的总体评价。")})
    return SurveyResponse.objects.create(
        survey=survey,
        answered_on=today or timezone.localdate(),
        satisfaction=satisfaction,
        knows_shelter=bool(knows_shelter),
        joined_activity=bool(joined_activity),
        has_kit=bool(has_kit),
        got_warning=bool(got_warning),
    )


# --- 科普/宣传/培训 activities ------------------------------------------------------------------

ACTIVITY_FIELDS = ("title", "kind", "national_day", "held_on", "place", "summary")


def _check_photos(photos):
    errors = []
    for upload in photos:
        try:
            validate_image(upload)
        except ValidationError as exc:
            errors.extend(f"{upload.name}：{m}" for m in exc.messages)
    if errors:
        raise ValidationError({"photos": errors})


def _add_photos(user, activity, photos):
    for upload in photos:
        clean = reencode_image(upload)  # no EXIF: a phone photo tells nothing of where it was
        ActivityPhoto.objects.create(
            activity=activity,
            image=clean,
            original_name=upload.name[:255],
            uploaded_by=user,
        )


@transaction.atomic
def save_activity(user: User, activity: Activity, *, photos=(), **values) -> Activity:
    """Create or change an activity and add ``photos``; a blank 宣传节点 is taken from the
    date (the week of 5·12, June, the week of 10·13, November)."""
    unit = values.get("org_unit") or activity.org_unit
    require_edit(user, unit, _("您无权登记该单位的宣传教育活动。"))
    _refuse_kind(unit, ACTIVITY_UNIT_KINDS, _("宣传教育活动由街镇或居委/村登记。"))
    activity.org_unit = unit
    for name in ACTIVITY_FIELDS:
        if name in values:
            setattr(activity, name, values[name])
    if not activity.national_day and activity.held_on:
        activity.national_day = national_day_of(activity.held_on)
    photos = list(photos)
    existing = activity.photos.count() if activity.pk is not None else 0
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("每个活动最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}})
    _check_photos(photos)
    stamp(activity, user)
    activity.full_clean(exclude=["created_by", "updated_by"])
    activity.save()
    _add_photos(user, activity, photos)
    return activity


@transaction.atomic
def set_sign_in(user: User, activity: Activity, *, open_: bool) -> Activity:
    require_edit(user, activity.org_unit, _("您无权修改该活动。"))
    activity.sign_in_open = open_
    stamp(activity, user)
    activity.save(update_fields=["sign_in_open", "updated_by", "updated_at"])
    return activity


def delete_photo(user: User, photo: ActivityPhoto) -> None:
    require_edit(user, photo.activity.org_unit, _("您无权修改该活动。"))
    photo.image.delete(save=False)
    photo.delete()


def sign_in(activity: Activity, *, today: datetime.date | None = None) -> SignIn:
    """One participant signs in from the QR code (no user: the public page)."""
    if not activity.sign_in_open:
        raise ValidationError(_("该活动已结束签到。"))
    return SignIn.objects.create(activity=activity, signed_on=today or timezone.localdate())


# --- funding and insurance --------------------------------------------------------------------

FUNDING_FIELDS = ("year", "amount", "purpose", "insured_households", "insurance")


def save_funding(user: User, funding: Funding, **values) -> Funding:
    unit = values.get("org_unit") or funding.org_unit
    require_edit(user, unit, _("您无权登记该单位的经费投入。"))
    _refuse_kind(unit, ACTIVITY_UNIT_KINDS, _("经费投入由街镇或居委/村登记。"))
    funding.org_unit = unit
    for name in FUNDING_FIELDS:
        if name in values:
            setattr(funding, name, values[name])
    stamp(funding, user)
    funding.full_clean(exclude=["created_by", "updated_by"])
    try:
        with transaction.atomic():
            funding.save()
    except IntegrityError:  # two people saving the same year at once
        raise ValidationError({"year": _("该单位本年度已登记经费投入，请修改原记录。")}) from None
    return funding
