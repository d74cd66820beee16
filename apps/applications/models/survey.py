"""The residents' questionnaire (居民问卷) of a community: how satisfied residents are with its
comprehensive disaster-reduction work (the basic condition 满意率 > 70%), and what they know
and have done (避难场所, 演练与培训, 家庭应急包, 预警信息).

Residents answer on their phone from the survey's QR code, without logging in
(``apps.applications.views.public``). **No personal data is kept**: an answer holds the five
answers and the day it was given — no name, phone number, address, IP address, device or time of
day. One answer per phone is kept by a signed cookie, and a rate limit per address in the cache
(never stored) bounds what one machine can post.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import ScopedModel, ScopedQuerySet


def new_token():
    return secrets.token_urlsafe(16)


class Survey(ScopedModel):
    """One questionnaire round of a community (``org_unit``): open until closed; its answers
    count for the facts of the community and of every unit above it."""

    households = models.PositiveIntegerField(
        _("社区户数"), help_text=_("居民户数，用于计算参与率（答卷数 ÷ 户数）。")
    )
    opened_on = models.DateField(_("开始日期"))
    closed_on = models.DateField(_("结束日期"), null=True, blank=True, editable=False)
    # the link in the QR code: whoever has it may answer (one answer per phone)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)

    class Meta:
        verbose_name = _("居民问卷")
        verbose_name_plural = _("居民问卷")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit"],
                condition=Q(closed_on__isnull=True),
                name="survey_one_open_per_unit",
                violation_error_message=_("该居委/村已有进行中的居民问卷。"),
            ),
            models.CheckConstraint(
                condition=Q(households__gt=0),
                name="survey_households_positive",
                violation_error_message=_("社区户数应大于 0。"),
            ),
        ]

    def __str__(self):
        return _("%(unit)s居民问卷（%(date)s）") % {
            "unit": self.org_unit.name,
            "date": self.opened_on.isoformat(),
        }

    def get_absolute_url(self):
        return reverse("applications:survey", args=[self.pk])

    @property
    def is_open(self):
        return self.closed_on is None

    def public_url(self):
        return reverse("residents:survey", args=[self.token])


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIR = "fair", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# 满意率 counts 满意 and 基本满意
SATISFIED_CHOICES = (Satisfaction.SATISFIED, Satisfaction.FAIR)


class ResponseQuerySet(ScopedQuerySet):
    scope_path = "survey__org_unit__path"


class SurveyResponse(models.Model):
    """One resident's answers: nothing that tells who gave them (see the module docstring)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("居民问卷"), on_delete=models.CASCADE, related_name="responses"
    )
    answered_on = models.DateField(_("答卷日期"))
    satisfaction = models.CharField(
        _("对社区综合减灾工作的总体评价"), max_length=12, choices=Satisfaction.choices
    )
    knows_shelter = models.BooleanField(_("知道最近的应急避难场所"))
    joined_activity = models.BooleanField(_("近一年参加过演练、培训或宣传活动"))
    has_kit = models.BooleanField(_("家中备有应急包或应急物品"))
    got_warning = models.BooleanField(_("收到过社区转发的预警信息"))

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["survey", "pk"]
        indexes = [models.Index(fields=["survey", "answered_on"], name="survey_response_day")]

    def __str__(self):
        return f"{self.survey_id} · {self.answered_on}"
