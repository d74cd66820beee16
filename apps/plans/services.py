"""The rules of the plan register. Views, admin actions, imports and tests all go through these
functions, which take the acting user first."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.orgs.models import OrgKind, OrgUnit, require_edit, stamp

from .models import Plan, PlanAttachment, PlanVersion

EDIT_DENIED = gettext_lazy("您无权修改该单位的预案。")


def check_plan(plan):
    """Structural rules of the 1+N+M system, as field errors."""
    errors = {}
    unit = plan.org_unit
    if plan.kind == Plan.Kind.COMMUNITY and unit.kind not in (OrgKind.COMMUNITY, OrgKind.ESTATE):
        errors["org_unit"] = _("居民区预案应属于居委/村。")
    if plan.kind != Plan.Kind.COMMUNITY and unit.kind != OrgKind.STREET:
        errors["org_unit"] = _("总体预案、专项预案和部门预案应属于街道/镇。")
    if plan.parent_id:
        parent = plan.parent
        if parent.pk == plan.pk:
            errors["parent"] = _("预案不能以自己为上级预案。")
        elif parent.kind != Plan.Kind.OVERALL:
            errors["parent"] = _("上级预案应为街道总体预案。")
        elif not unit.path.startswith(parent.org_unit.path):
            errors["parent"] = _("上级预案应属于本街道。")
    if plan.kind == Plan.Kind.OVERALL and plan.parent_id:
        errors["parent"] = _("总体预案没有上级预案。")
    if errors:
        raise ValidationError(errors)


def save_plan(user, plan):
    """Create or update a plan's register entry."""
    require_edit(user, plan.org_unit, EDIT_DENIED)
    if plan.status == Plan.Status.RETIRED and plan.pk:
        stored = Plan.objects.get(pk=plan.pk)
        if stored.status != Plan.Status.RETIRED:
            raise ValidationError({"status": _("请使用“废止”操作废止预案。")})
    check_plan(plan)
    stamp(plan, user)
    plan.save()
    return plan


@transaction.atomic
def add_version(user, plan, *, version_date, change_summary, files, make_in_force=True):
    """A new revision becomes the current version; earlier ones stay in the history.
    ``files`` are uploaded files already validated by the form (PDF/DOC/DOCX, size)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    require_edit(user, plan.org_unit, EDIT_DENIED)
    if plan.status == Plan.Status.RETIRED:
        raise ValidationError(_("预案已废止，不能再上传新版本。"))
    if not files:
        raise ValidationError({"files": _("请至少上传一个预案文件。")})
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    plan.versions.filter(is_current=True).update(is_current=False)
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        version_date=version_date,
        change_summary=change_summary,
        is_current=True,
        created_by=user,
    )
    for upload in files:
        PlanAttachment.objects.create(
            version=version, file=upload, original_name=upload.name[:255], size=upload.size
        )
    plan.effective_date = version_date
    if make_in_force:
        plan.status = Plan.Status.IN_FORCE
    plan.updated_by = user
    plan.save()
    return version


@transaction.atomic
def retire_plan(user, plan, *, reason):
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    require_edit(user, plan.org_unit, EDIT_DENIED)
    if plan.status == Plan.Status.RETIRED:
        raise ValidationError(_("预案已经废止。"))
    if plan.children.exclude(status=Plan.Status.RETIRED).exists():
        raise ValidationError(_("该预案下还有未废止的下级预案，请先处理下级预案。"))
    plan.status = Plan.Status.RETIRED
    plan.retired_reason = reason
    plan.updated_by = user
    plan.save()
    return plan


def plan_system(street):
    """The street's 1+N+M structure: the overall plan(s) with the plans under them, plans not
    attached to any overall plan, the counts in force, and the communities with no plan in force.
    A fixed number of queries whatever the street's size."""
    plans = list(
        Plan.objects.filter(org_unit__path__startswith=street.path)
        .exclude(status=Plan.Status.RETIRED)
        .select_related("org_unit")
        .order_by("kind", "org_unit__code", "title")
    )
    by_parent = {}
    for plan in plans:
        by_parent.setdefault(plan.parent_id, []).append(plan)
    overall = [p for p in plans if p.kind == Plan.Kind.OVERALL]
    for plan in overall:
        children = by_parent.get(plan.pk, [])
        plan.tree_children = sorted(children, key=lambda p: (p.kind != Plan.Kind.SPECIAL, p.kind))
    attached = {p.pk for o in overall for p in o.tree_children}
    loose = [p for p in plans if p.kind != Plan.Kind.OVERALL and p.pk not in attached]
    in_force = [p for p in plans if p.status == Plan.Status.IN_FORCE]
    communities = list(
        OrgUnit.objects.filter(path__startswith=street.path, kind=OrgKind.COMMUNITY).order_by(
            "code"
        )
    )
    covered = {p.org_unit_id for p in in_force if p.kind == Plan.Kind.COMMUNITY}
    return {
        "street": street,
        "overall": overall,
        "loose": loose,
        "counts": {
            "overall": sum(p.kind == Plan.Kind.OVERALL for p in in_force),
            "n": sum(p.kind in (Plan.Kind.SPECIAL, Plan.Kind.DEPARTMENT) for p in in_force),
            "m": sum(p.kind == Plan.Kind.COMMUNITY for p in in_force),
        },
        "communities": len(communities),
        "uncovered": [c for c in communities if c.pk not in covered],
    }
