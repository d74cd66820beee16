"""Evidence the standards ask for that the portal kept no record of, now kept as records (each
becomes a fact beside the aspect it proves, ``apps.applications.selectors``):

- :class:`Activity`: a 科普/宣传/培训 activity of a street or community — its type, the
  national day it marks (5·12 防灾减灾日, 安全生产月, 10·13 国际减灾日, 119 消防宣传月), its
  place, its photos (through the project's upload handling: checked from the bytes, re-encoded
  without metadata) and its participants, counted by a QR sign-in on the residents' phones
  (:class:`SignIn`: one per phone, nothing that tells who);
- :class:`Funding`: a unit's 经费投入 of one year (the national table asks ≥ 10 万元 a year) and
  its residents' disaster insurance (households insured, the policy).

明白卡 given to vulnerable residents are kept where those residents are: a 走访关爱 visit of the
kind "发放明白卡" (``apps.people``).
"""

import datetime
import secrets

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.files.uploads import RandomUploadTo, validate_image
from apps.orgs.models import ScopedModel, ScopedQuerySet, User


class ActivityKind(models.TextChoices):
    SCIENCE = "science", _("科普")
    PUBLICITY = "publicity", _("宣传")
    TRAINING = "training", _("培训")


class NationalDay(models.TextChoices):
    NONE = "", _("非宣传节点")
    MAY12 = "may12", _("5·12 全国防灾减灾日")
    SAFETY_MONTH = "safety_month", _("安全生产月")
    OCT13 = "oct13", _("10·13 国际减灾日")
    FIRE119 = "fire119", _("119 消防宣传月")


def national_day_of(day: datetime.date) -> str:
    """The national day an activity held on ``day`` most likely marks: the week around 5·12
    (防灾减灾宣传周) and 10·13, all of June (安全生产月) and November (119 消防宣传月)."""
    if day.month == 5 and 6 <= day.day <= 18:
        return NationalDay.MAY12
    if day.month == 6:
        return NationalDay.SAFETY_MONTH
    if day.month == 10 and 7 <= day.day <= 19:
        return NationalDay.OCT13
    if day.month == 11:
        return NationalDay.FIRE119
    return NationalDay.NONE


def new_token():
    return secrets.token_urlsafe(16)


class Activity(ScopedModel):
    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("活动类型"), max_length=12, choices=ActivityKind.choices)
    national_day = models.CharField(
        _("宣传节点"), max_length=16, choices=NationalDay.choices, blank=True
    )
    held_on = models.DateField(_("活动日期"))
    place = models.CharField(_("活动地点"), max_length=200)
    summary = models.TextField(_("活动内容"), blank=True)
    # the link in the sign-in QR code; signing in stops when the activity is closed
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    sign_in_open = models.BooleanField(_("开放签到"), default=True)

    class Meta:
        verbose_name = _("宣传教育活动")
        verbose_name_plural = _("宣传教育活动")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["org_unit", "held_on"], name="activity_unit_day")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("applications:activity", args=[self.pk])

    def public_url(self):
        return reverse("residents:sign_in", args=[self.token])


class ActivityChildQuerySet(ScopedQuerySet):
    scope_path = "activity__org_unit__path"


class SignIn(models.Model):
    """One participant signed in from their phone: the day only, nothing that tells who."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="sign_ins"
    )
    signed_on = models.DateField(_("签到日期"))

    objects = ActivityChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动签到")
        verbose_name_plural = _("活动签到")
        ordering = ["activity", "pk"]

    def __str__(self):
        return f"{self.activity_id} · {self.signed_on}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(
        _("照片"), upload_to=RandomUploadTo("applications/activities"), validators=[validate_image]
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ActivityChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["activity", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("applications:activity_photo", args=[self.pk])


class Funding(ScopedModel):
    """经费投入 and residents' disaster insurance of one unit for one year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(
        _("经费投入（元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("防灾减灾救灾、安全生产方面的年度经费投入。"),
    )
    purpose = models.CharField(
        _("主要用途"), max_length=200, blank=True, help_text=_("如：物资储备、演练培训、设施改造。")
    )
    insured_households = models.PositiveIntegerField(_("参加灾害保险的户数"), null=True, blank=True)
    insurance = models.CharField(
        _("灾害保险"),
        max_length=200,
        blank=True,
        help_text=_("险种或保单，如：居民住房灾害保险（政府统保）。"),
    )

    class Meta:
        verbose_name = _("经费投入与灾害保险")
        verbose_name_plural = _("经费投入与灾害保险")
        ordering = ["-year", "org_unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year"],
                name="funding_unit_year",
                violation_error_message=_("该单位本年度已登记经费投入，请修改原记录。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="funding_amount_not_negative",
                violation_error_message=_("经费投入不能为负数。"),
            ),
        ]

    def __str__(self):
        return _("%(unit)s %(year)s年经费投入") % {"unit": self.org_unit.name, "year": self.year}
