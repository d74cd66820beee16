"""Reports from the phone: a hazard report carrying an idempotency key creates at most one
hazard, however often it is sent (see ``models.Submission``)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.hazards.models import Hazard
from apps.hazards.services import report_hazard
from apps.orgs.models import User

from .models import Submission


def _submitted(user: User, key: UUID) -> Hazard | None:
    submission = Submission.objects.select_related("hazard").filter(key=key).first()
    if submission is None:
        return None
    if submission.user_id != user.pk:
        raise ValidationError({"key": _("该上报编号已被他人使用，请重新填写上报。")})
    return submission.hazard


def submit_hazard_report(user: User, *, key: UUID, **report) -> tuple[Hazard, bool]:
    """``(hazard, created)``: the hazard reported with ``key`` (``report`` as for
    ``apps.hazards.services.report_hazard``), created now or by an earlier send of the same
    report. Two sends at once both create a hazard; the unique key lets one commit and rolls
    the other back, which then answers with the first one's hazard."""
    hazard = _submitted(user, key)
    if hazard is not None:
        return hazard, False
    try:
        with transaction.atomic():
            hazard = report_hazard(user, **report)
            Submission.objects.create(key=key, hazard=hazard, user=user)
    except IntegrityError:
        hazard = _submitted(user, key)
        if hazard is None:
            raise
        return hazard, False
    return hazard, True
