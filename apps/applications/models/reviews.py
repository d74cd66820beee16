"""Review beyond the desk: an :class:`Inspection` is a visit to the applicant scored on the
standard's items, with findings and photos, filled in on a tablet.

- 现场核查 (``site``): the district's on-site check while it reviews an application; its scores
  are written into the application's item scores (the district's score);
- 动态管理抽查 (``spot``): every year after the award, a check of an awarded community on the same
  items (the 抽查评估表), one per application and year; its total against the pass mark says
  whether the title holds (合格) or needs putting right;
- 复审 (``rereview``): when the title comes up for re-review (from 60 days before the 复审日期),
  the city's check on the same items; at or above the pass mark it renews the title for three
  more years, below it the city decides (撤销称号 is a workflow step).
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.files.uploads import RandomUploadTo, validate_image
from apps.orgs.models import ScopedQuerySet, User

from .applications import Application
from .standards import POINTS, Item


class InspectionKind(models.TextChoices):
    SITE = "site", _("现场核查")
    SPOT = "spot", _("动态管理抽查")
    REREVIEW = "rereview", _("复审")


class InspectionQuerySet(ScopedQuerySet):
    scope_path = "application__org_unit__path"


class Inspection(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="inspections"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=InspectionKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    checked_on = models.DateField(_("核查日期"))
    checkers = models.CharField(_("核查人员"), max_length=200)
    findings = models.TextField(_("核查意见"), blank=True)
    score = models.DecimalField(_("核查得分"), null=True, blank=True, **POINTS)
    created_by = models.ForeignKey(
        User, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("现场核查与抽查")
        verbose_name_plural = _("现场核查与抽查")
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "year"],
                condition=Q(kind="spot"),
                name="inspection_one_spot_check_a_year",
                violation_error_message=_("该示范社区本年度已有动态管理抽查记录。"),
            ),
        ]

    def __str__(self):
        return _("%(unit)s %(year)s年%(kind)s") % {
            "unit": self.application.org_unit.name,
            "year": self.year,
            "kind": self.get_kind_display(),
        }

    def get_absolute_url(self):
        return reverse("applications:inspection", args=[self.pk])

    @property
    def passed(self):
        if self.score is None:
            return None
        return self.score >= self.application.standard.pass_mark


class InspectionChildQuerySet(ScopedQuerySet):
    scope_path = "inspection__application__org_unit__path"


class InspectionScore(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("核查"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("评审细则"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("得分"), null=True, blank=True, **POINTS)
    note = models.CharField(_("现场情况"), max_length=300, blank=True)

    objects = InspectionChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("核查得分")
        verbose_name_plural = _("核查得分")
        ordering = ["inspection", "item__aspect__order", "item__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                name="inspection_score_item",
                violation_error_message=_("该核查已有此细则的得分。"),
            )
        ]

    def __str__(self):
        return f"{self.inspection_id} · {self.item}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("核查"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(
        _("照片"),
        upload_to=RandomUploadTo("applications/inspections"),
        validators=[validate_image],
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = InspectionChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("核查照片")
        verbose_name_plural = _("核查照片")
        ordering = ["inspection", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("applications:inspection_photo", args=[self.pk])
