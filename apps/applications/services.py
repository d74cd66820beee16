"""The rules of 示范社区创建申报. Views, admin, demo data and tests all go through these functions,
which take the acting user first and raise ValidationError / PermissionDenied in Chinese.

Who may do what:
- the applicant side (create, edit a draft, self-assess, upload evidence, submit, resubmit after a
  return): street staff (or admins) whose unit contains the applicant unit (``can_edit_unit``);
- the district review (accept, score, comment, return, approve, reject): district reviewers (or
  admins) whose unit contains the applicant unit — a reviewer of another district does not even
  see the application (404);
- the city result (授牌 / 未通过): admins only (superusers or the 系统管理员 role).
"""

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.notifications.events import notify
from apps.orgs.models import OrgKind, OrgUnit, Role, can_edit_unit
from resilience.dates import add_years

from . import conditions as conditions_module
from . import facts as facts_module
from . import notices, proofs
from .models import (
    CLOSED_STATES,
    EDITABLE_STATES,
    TRANSITIONS,
    Action,
    Application,
    ApplicationEvent,
    Aspect,
    AspectReview,
    Condition,
    Evidence,
    Item,
    ItemAssessment,
    Side,
    Standard,
    State,
    validate_evidence,
)

APPLICANT_KINDS = (OrgKind.STREET, OrgKind.COMMUNITY)
DEFAULT_VALIDITY_YEARS = 3


# --- who may act ----------------------------------------------------------------------------


def _in_scope(user, application):
    if user.is_superuser:
        return True
    unit = user.org_unit
    return unit is not None and application.org_unit.path.startswith(unit.path)


def is_applicant(user, application):
    return can_edit_unit(user, application.org_unit)


def is_reviewer(user, application):
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in (Role.DISTRICT_REVIEWER, Role.ADMIN))
        and _in_scope(user, application)
    )


def is_city_admin(user, application=None):
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role == Role.ADMIN)
        and (application is None or _in_scope(user, application))
    )


SIDE_CHECKS = {Side.APPLICANT: is_applicant, Side.REVIEWER: is_reviewer, Side.CITY: is_city_admin}


def allowed_actions(user, application):
    """The transitions ``user`` may apply to ``application`` now (for buttons and checks)."""
    return [
        t
        for t in TRANSITIONS.values()
        if application.state in t.sources and SIDE_CHECKS[t.side](user, application)
    ]


def check_transition(user, application, action):
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("未知的操作。"))
    if not SIDE_CHECKS[transition.side](user, application):
        raise PermissionDenied(
            _("您没有权限对该申报执行“%(action)s”。") % {"action": transition.action.label}
        )
    if application.state not in transition.sources:
        raise ValidationError(
            _("申报当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": application.get_state_display(), "action": transition.action.label}
        )
    return transition


def _require_applicant_edit(user, application):
    if not is_applicant(user, application):
        raise PermissionDenied(_("只有申报单位所在街镇的工作人员可以修改申报。"))
    if application.state not in EDITABLE_STATES:
        raise ValidationError(_("申报已提交，不能再修改。"))


def applicant_units(user):
    """Units the user may file an application for: their street and its communities."""
    return OrgUnit.objects.editable_by(user).filter(kind__in=APPLICANT_KINDS)


def active_standards():
    return Standard.objects.filter(is_active=True)


# --- the applicant side ---------------------------------------------------------------------

APPLICATION_FIELDS = (
    "title",
    "year",
    "contact_name",
    "contact_phone",
    "summary",
    "cultivate_start",
    "cultivate_end",
    "evaluate_start",
    "evaluate_end",
    "accept_start",
    "accept_end",
)


def check_application(application):
    """Field rules as a ValidationError with field errors."""
    errors = {}
    if application.org_unit_id and application.org_unit.kind not in APPLICANT_KINDS:
        errors["org_unit"] = _("申报单位应为街道/镇或居委/村。")
    for code, label in Application.STAGES:
        start = getattr(application, f"{code}_start")
        end = getattr(application, f"{code}_end")
        if start and end and end < start:
            errors[f"{code}_end"] = _("%(stage)s期的结束日期不能早于开始日期。") % {"stage": label}
    if application.year and not 2000 <= application.year <= 2100:
        errors["year"] = _("请填写正确的申报年度。")
    clash = (
        Application.objects.filter(
            org_unit_id=application.org_unit_id, title=application.title, year=application.year
        )
        .exclude(state__in=CLOSED_STATES)
        .exclude(pk=application.pk)
    )
    if application.org_unit_id and clash.exists():
        errors["title"] = _("该单位本年度已有同一称号的申报。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_application(user, *, org_unit, standard, **values):
    """A new draft with one self-assessment row per item of the standard."""
    if not can_edit_unit(user, org_unit):
        raise PermissionDenied(_("您无权为该单位申报。"))
    if not standard.is_active:
        raise ValidationError({"standard": _("该评审标准已停用，请选择启用的标准。")})
    title = values.get("title") or Application._meta.get_field("title").default
    if standard.title and standard.title != title:
        # checked when an application is filed: older ones keep the standard they chose
        raise ValidationError(
            {
                "standard": _("“%(standard)s”用于“%(title)s”的申报，请选择相应的评审标准。")
                % {"standard": standard.name, "title": standard.get_title_display()}
            }
        )
    application = Application(org_unit=org_unit, standard=standard, created_by=user)
    for name in APPLICATION_FIELDS:
        if name in values:
            setattr(application, name, values[name])
    if not application.year:
        application.year = timezone.localdate().year
    application.updated_by = user
    check_application(application)
    application.full_clean(exclude=["created_by", "updated_by"])
    application.save()
    items = Item.objects.filter(aspect__standard=standard)
    ItemAssessment.objects.bulk_create(
        [ItemAssessment(application=application, item=item) for item in items]
    )
    _event(application, Action.CREATE, "", State.DRAFT, user, "")
    return application


def update_application(user, application, **values):
    _require_applicant_edit(user, application)
    for name in APPLICATION_FIELDS:
        if name in values:
            setattr(application, name, values[name])
    application.updated_by = user
    check_application(application)
    application.full_clean(exclude=["created_by", "updated_by"])
    application.save()
    return application


def parse_points(raw, item, *, label):
    """A points value from a form: blank → None; otherwise 0..max in steps of 0.5."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(label)s第 %(number)s 项：请填写数字。") % {"label": label, "number": item.number}
        ) from None
    if not value.is_finite() or value < 0 or value > item.max_points:
        raise ValidationError(
            _("%(label)s第 %(number)s 项应在 0 到 %(max)s 分之间。")
            % {"label": label, "number": item.number, "max": item.max_points}
        )
    if value * 2 != (value * 2).to_integral_value():
        raise ValidationError(
            _("%(label)s第 %(number)s 项：分数以 0.5 分为单位。")
            % {"label": label, "number": item.number}
        )
    return value


@transaction.atomic
def save_self_assessment(user, application, aspect, entries, uploads=None):
    """Save one aspect of the self-assessment: ``entries`` maps item id → (claimed points as
    typed, explanation); ``uploads`` maps item id → evidence files. All or nothing."""
    application = (
        Application.objects.select_for_update().select_related("org_unit").get(pk=application.pk)
    )
    _require_applicant_edit(user, application)
    if aspect.standard_id != application.standard_id:
        raise ValidationError(_("该方面不属于本申报的评审标准。"))
    rows = {
        a.item_id: a
        for a in ItemAssessment.objects.filter(
            application=application, item__aspect=aspect
        ).select_related("item__aspect")
    }
    errors = []
    for item_id, (raw, explanation) in entries.items():
        row = rows.get(item_id)
        if row is None:
            raise ValidationError(_("评审细则不属于该方面。"))
        try:
            row.claimed_points = parse_points(raw, row.item, label=_("自评分"))
        except ValidationError as exc:
            errors.extend(exc.messages)
        row.explanation = (explanation or "").strip()
    files = []
    for item_id, items in (uploads or {}).items():
        row = rows.get(item_id)
        if row is None:
            raise ValidationError(_("评审细则不属于该方面。"))
        for upload in items:
            try:
                validate_evidence(upload)
            except ValidationError as exc:
                errors.extend(f"{upload.name}：{m}" for m in exc.messages)
            files.append((row.item, upload))
    if errors:
        raise ValidationError(errors)
    ItemAssessment.objects.bulk_update(
        list(rows.values()), ["claimed_points", "explanation", "updated_at"]
    )
    for item, upload in files:
        Evidence.objects.create(
            application=application,
            item=item,
            file=upload,
            original_name=upload.name[:255],
            size=upload.size,
            uploaded_by=user,
        )
    application.updated_by = user
    application.save(update_fields=["updated_by", "updated_at"])
    return application


def delete_evidence(user, evidence):
    _require_applicant_edit(user, evidence.application)
    evidence.file.delete(save=False)
    evidence.delete()


# --- the district review --------------------------------------------------------------------


@transaction.atomic
def save_review(user, application, *, scores, comments):
    """Save the reviewer's scores (item id → points as typed, blank = not yet scored) and
    aspect comments (aspect id → text). All or nothing."""
    application = (
        Application.objects.select_for_update().select_related("org_unit").get(pk=application.pk)
    )
    if not is_reviewer(user, application):
        raise PermissionDenied(_("只有申报单位所在区的审核员可以评分。"))
    if application.state != State.IN_REVIEW:
        raise ValidationError(
            _("申报当前状态为“%(state)s”，不能评分。") % {"state": application.get_state_display()}
        )
    rows = {
        a.item_id: a
        for a in application.assessments.select_related("item__aspect").order_by(
            "item__aspect__order", "item__order"
        )
    }
    errors = []
    now = timezone.now()
    changed = []
    for item_id, raw in scores.items():
        row = rows.get(item_id)
        if row is None:
            raise ValidationError(_("评审细则不属于本申报的评审标准。"))
        try:
            value = parse_points(raw, row.item, label=_("评审得分"))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if value != row.score:
            row.score, row.scored_by, row.scored_at = value, user, now
            changed.append(row)
    aspect_ids = set(
        Aspect.objects.filter(standard_id=application.standard_id).values_list("pk", flat=True)
    )
    if set(comments) - aspect_ids:
        raise ValidationError(_("评审方面不属于本申报的评审标准。"))
    if errors:
        raise ValidationError(errors)
    ItemAssessment.objects.bulk_update(changed, ["score", "scored_by", "scored_at", "updated_at"])
    existing = {r.aspect_id: r for r in application.aspect_reviews.all()}
    for aspect_id, text in comments.items():
        text = (text or "").strip()
        review = existing.get(aspect_id)
        if review is None and not text:
            continue
        if review is None:
            AspectReview.objects.create(
                application=application, aspect_id=aspect_id, comment=text, reviewer=user
            )
        elif review.comment != text:
            review.comment, review.reviewer = text, user
            review.save()
    return application


# --- the workflow ---------------------------------------------------------------------------


def _event(application, action, from_state, to_state, user, comment, when=None):
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        actor=user,
        created_at=when or timezone.now(),
    )


def _check_complete(application):
    missing = list(
        application.assessments.filter(claimed_points__isnull=True)
        .select_related("item__aspect")
        .order_by("item__aspect__order", "item__order")
    )
    if missing:
        numbers = "、".join(a.item.number for a in missing[:10])
        raise ValidationError(
            _("自评尚未完成：还有 %(n)d 项未填写自评分（%(numbers)s）。")
            % {"n": len(missing), "numbers": numbers + ("…" if len(missing) > 10 else "")}
        )


def _check_review(application):
    figures = totals(application)
    if figures["scored"] < figures["items"]:
        raise ValidationError(
            _("还有 %(n)d 项未评分，请完成全部细则的评分。")
            % {"n": figures["items"] - figures["scored"]}
        )
    if figures["score"] < application.standard.pass_mark:
        raise ValidationError(
            _("评审总分 %(score)s 分低于通过分数线 %(mark)s 分，不能通过。")
            % {"score": figures["score"], "mark": application.standard.pass_mark}
        )


@transaction.atomic
def transition_application(user, application, action, *, comment="", today=None, **values):
    """Apply one step of the workflow (``models.TRANSITIONS``) and record it as an event.
    The application row is locked first, so two people acting at once cannot both move it."""
    application = (
        Application.objects.select_for_update()
        .select_related("org_unit", "standard")
        .get(pk=application.pk)
    )
    transition = check_transition(user, application, action)
    comment = (comment or "").strip()
    if transition.reason_required and not comment:
        raise ValidationError({"comment": _("请填写原因。")})
    now = timezone.now()
    if action == Action.SUBMIT:
        if not (application.contact_name and application.contact_phone):
            raise ValidationError(_("请先填写联系人和联系电话。"))
        _check_complete(application)
        day = today or timezone.localdate(now)
        facts = facts_module.live_facts(application.org_unit, today=day)
        results = check_conditions(application, facts, today=day)
        refusal = conditions_module.refusal(results)
        if refusal:
            raise ValidationError(refusal)
        # the basic conditions as they held, frozen with the facts they were read from
        facts["conditions"] = [r.as_dict() for r in results]
        application.facts_snapshot = facts
        application.submitted_at = now
    elif action == Action.APPROVE:
        _check_review(application)
    elif action == Action.AWARD:
        award_date = values.get("award_date")
        years = values.get("validity_years") or DEFAULT_VALIDITY_YEARS
        if award_date is None:
            raise ValidationError({"award_date": _("请填写授牌日期。")})
        if award_date > timezone.localdate(now):
            raise ValidationError({"award_date": _("授牌日期不能晚于今天。")})
        if not 1 <= int(years) <= 10:
            raise ValidationError({"validity_years": _("有效期应为 1 到 10 年。")})
        valid_until = add_years(award_date, int(years))
        rereview = values.get("rereview_date") or valid_until
        if rereview <= award_date:
            raise ValidationError({"rereview_date": _("复审日期应晚于授牌日期。")})
        application.award_date = award_date
        application.valid_until = valid_until
        application.rereview_date = rereview
        if not comment:
            comment = _("授牌，有效期至 %(until)s，复审日期 %(rereview)s。") % {
                "until": valid_until.isoformat(),
                "rereview": rereview.isoformat(),
            }
    from_state = application.state
    application.state = transition.target
    application.updated_by = user
    application.save()
    step = _event(application, action, from_state, transition.target, user, comment, now)
    code = notices.event_code(action)
    if code:
        notify(code, step, actor=user)
    return application


# --- figures --------------------------------------------------------------------------------


def with_totals(queryset):
    """Annotate each application with its self-assessment and review totals (one query)."""
    return queryset.annotate(
        claimed_total=Sum("assessments__claimed_points"),
        score_total=Sum("assessments__score"),
        item_count=Count("assessments"),
        scored_count=Count("assessments", filter=Q(assessments__score__isnull=False)),
    )


def result_of(score, scored, items, pass_mark):
    """True/False against the pass mark once every item is scored, else None."""
    if not items or scored < items or score is None:
        return None
    return score >= pass_mark


def totals(application):
    raw = application.assessments.aggregate(
        claimed_sum=Sum("claimed_points"),
        score_sum=Sum("score"),
        item_count=Count("pk"),
        scored_count=Count("pk", filter=Q(score__isnull=False)),
        max_sum=Sum("item__max_points"),
    )
    zero = Decimal("0")
    row = {
        "claimed": raw["claimed_sum"] or zero,
        "score": raw["score_sum"] or zero,
        "items": raw["item_count"],
        "scored": raw["scored_count"],
        "max_total": raw["max_sum"] or zero,
    }
    row["pass_mark"] = application.standard.pass_mark
    row["passed"] = result_of(row["score"], row["scored"], row["items"], row["pass_mark"])
    return row


def facts_for(application, today=None):
    """The snapshot for a submitted application, the live facts for a draft."""
    if application.is_frozen:
        return application.facts_snapshot or {}
    return facts_module.live_facts(application.org_unit, today=today)


def check_conditions(application, facts, *, today=None):
    """The standard's basic conditions judged on ``facts`` (``apps.applications.conditions``)."""
    return conditions_module.evaluate(
        application.standard.conditions.order_by("order"),
        facts,
        kind=application.org_unit.kind,
        today=today or timezone.localdate(),
    )


def conditions_of(application, facts, *, today=None):
    """What the page shows: the results frozen at submission, or judged live for a draft.
    A snapshot taken before conditions were frozen is judged on itself, on its day."""
    if application.is_frozen and facts and "conditions" in facts:
        return facts["conditions"]
    if application.is_frozen and application.submitted_at:
        today = timezone.localdate(application.submitted_at)
    return [r.as_dict() for r in check_conditions(application, facts, today=today)]


def scorecard(application, *, facts=None):
    """Everything the application page, the review form and the PDF show, aspect by aspect:
    items with the self-assessment, score and evidence; the aspect comment; the facts beside
    it; sums per aspect and in total. A fixed number of queries."""
    aspects = list(
        Aspect.objects.filter(standard_id=application.standard_id)
        .prefetch_related("items")
        .order_by("order")
    )
    assessments = {a.item_id: a for a in application.assessments.all()}
    evidence = defaultdict(list)
    for e in application.evidence.all():
        evidence[e.item_id].append(e)
    comments = {r.aspect_id: r for r in application.aspect_reviews.select_related("reviewer")}
    zero = Decimal("0")
    grand = {"max": zero, "claimed": zero, "score": zero, "items": 0, "scored": 0}
    result = []
    for aspect in aspects:
        rows = []
        sums = {"max": zero, "claimed": zero, "score": zero, "scored": 0}
        for item in aspect.items.all():
            a = assessments.get(item.pk)
            rows.append(
                {
                    "item": item,
                    "assessment": a,
                    "evidence": evidence.get(item.pk, []),
                    "proof": proofs.check(item.proof, facts),
                }
            )
            sums["max"] += item.max_points
            if a and a.claimed_points is not None:
                sums["claimed"] += a.claimed_points
            if a and a.score is not None:
                sums["score"] += a.score
                sums["scored"] += 1
        for key in ("max", "claimed", "score", "scored"):
            grand[key] += sums[key]
        grand["items"] += len(rows)
        review = comments.get(aspect.pk)
        result.append(
            {
                "aspect": aspect,
                "rows": rows,
                "sums": sums,
                "comment": review.comment if review else "",
                "review": review,
                "facts": facts_module.aspect_facts(facts, aspect.facts),
            }
        )
    pass_mark = application.standard.pass_mark
    grand["pass_mark"] = pass_mark
    grand["passed"] = result_of(grand["score"], grand["scored"], grand["items"], pass_mark)
    card = {
        "aspects": result,
        "totals": grand,
        "readiness": facts_module.readiness(facts),
        "flood_readiness": list((facts or {}).get("flood_readiness") or []),
    }
    card["gap"] = proofs.gap(card, pass_mark)
    return card


def comparison(queryset):
    """The district's applications side by side: per aspect (by name, in order) the review
    score where scored, else the self-assessment. Two queries whatever the count."""
    applications = list(
        with_totals(queryset)
        .select_related("org_unit__parent", "standard")
        .order_by("-year", "org_unit__path", "title")
    )
    ids = [a.pk for a in applications]
    sums = (
        ItemAssessment.objects.filter(application_id__in=ids)
        .values("application_id", "item__aspect__name", "item__aspect__order")
        .annotate(
            claimed_sum=Sum("claimed_points"),
            score_sum=Sum("score"),
            scored_n=Count("pk", filter=Q(score__isnull=False)),
            max_sum=Sum("item__max_points"),
        )
        .order_by()
    )
    columns = {}
    by_app = defaultdict(dict)
    for row in sums:
        name = row["item__aspect__name"]
        columns.setdefault(name, row["item__aspect__order"])
        by_app[row["application_id"]][name] = row
    names = sorted(columns, key=lambda n: columns[n])
    rows = []
    for app in applications:
        cells = []
        for name in names:
            row = by_app[app.pk].get(name)
            cells.append(row)
        rows.append(
            {
                "application": app,
                "cells": cells,
                "passed": result_of(
                    app.score_total, app.scored_count, app.item_count, app.standard.pass_mark
                ),
            }
        )
    return {"columns": names, "rows": rows}


# --- the standard ---------------------------------------------------------------------------


def standard_problems(standard):
    """What is inconsistent in a standard (for admin): item points not adding up to the total."""
    problems = []
    items_total = (
        Item.objects.filter(aspect__standard=standard).aggregate(s=Sum("max_points"))["s"] or 0
    )
    if items_total != standard.total:
        problems.append(
            _("各细则分值合计 %(sum)s 分，与总分 %(total)s 分不一致。")
            % {"sum": items_total, "total": standard.total}
        )
    return problems


@transaction.atomic
def copy_standard(standard, *, code, name=None, year=None):
    """A new, inactive version of ``standard`` with copies of its conditions, aspects and
    items, for an admin to edit and then activate (a used standard itself is frozen)."""
    if Standard.objects.filter(code=code).exists():
        raise ValidationError({"code": _("编码“%(code)s”已被使用。") % {"code": code}})
    copy = Standard.objects.create(
        code=code,
        name=name or standard.name,
        title=standard.title,
        year=year or standard.year,
        total=standard.total,
        pass_mark=standard.pass_mark,
        is_active=False,
        is_reconstruction=standard.is_reconstruction,
        source=standard.source,
        note=standard.note,
    )
    Condition.objects.bulk_create(
        [
            Condition(standard=copy, order=c.order, text=c.text, rule=c.rule, threshold=c.threshold)
            for c in standard.conditions.all()
        ]
    )
    for aspect in standard.aspects.prefetch_related("items"):
        new = Aspect.objects.create(
            standard=copy,
            code=aspect.code,
            name=aspect.name,
            order=aspect.order,
            facts=aspect.facts,
            description=aspect.description,
        )
        Item.objects.bulk_create(
            [
                Item(
                    aspect=new,
                    order=i.order,
                    text=i.text,
                    max_points=i.max_points,
                    evidence=i.evidence,
                    proof=i.proof,
                )
                for i in aspect.items.all()
            ]
        )
    return copy


def waiting_days(application, today=None):
    if application.submitted_at is None:
        return None
    today = today or timezone.localdate()
    return (today - timezone.localdate(application.submitted_at)).days


def due_date_for_review(submitted_at, days):
    return timezone.localdate(submitted_at) + datetime.timedelta(days=days)
