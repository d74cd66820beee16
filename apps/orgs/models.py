"""The org tree (市 → 区 → 街道/镇 → 居委/村 → 小区), users, roles and the scoping rule.

Scoping is one mechanism, used by every app: a model whose queryset is a ``ScopedQuerySet``
(directly or via ``ScopedQuerySet.as_manager()``) gets ``visible_to(user)`` and
``editable_by(user)``. A user sees their own org unit and everything below it; only street
staff and admins change data; district reviewers and city viewers read.

The tree is a materialised path: each unit stores ``path``, the codes from the root down to
itself (``/310000/310105/310105001/``). A subtree is one ``LIKE 'prefix%'`` query (indexed
with ``varchar_pattern_ops`` on PostgreSQL), whatever the depth. It is hand-written rather than
django-treebeard because the path is made of the units' stable codes, which keeps it readable
in exports and lets the city-scale seeding bulk-insert units with their paths precomputed.
"""

import os
from functools import reduce
from operator import or_
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.dispatch import Signal
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

PATH_SEPARATOR = "/"

# Sent by writes that bypass the model signals (bulk imports) with ``paths``, the paths of the
# units whose records they changed: figures kept for those units are stale (apps.dashboards).
records_changed = Signal()


class OrgKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道/镇")
    COMMUNITY = "community", _("居委/村")
    ESTATE = "estate", _("小区")


KIND_DEPTH = {kind: depth for depth, kind in enumerate(OrgKind.values)}


class Role(models.TextChoices):
    STREET_STAFF = "street_staff", _("街镇工作人员")
    DISTRICT_REVIEWER = "district_reviewer", _("区级审核员")
    CITY_VIEWER = "city_viewer", _("市级查看")
    ADMIN = "admin", _("系统管理员")
    # The front line: they work on the phone pages (/m/) and on what street staff delegate to
    # them (apps.orgs.frontline), not on the desk pages.
    COMMUNITY_STAFF = "community_staff", _("居委/村工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    INFO_OFFICER = "info_officer", _("灾害信息员")


EDITING_ROLES = {Role.STREET_STAFF, Role.ADMIN}
FRONTLINE_ROLES = {Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.INFO_OFFICER}


class ScopedQuerySet(models.QuerySet):
    """Queryset with the scoping rule. ``scope_path`` is the lookup from the model to the
    ``OrgUnit.path`` of the unit that owns each row (``"org_unit__path"`` by default)."""

    scope_path = "org_unit__path"

    def visible_to(self, user):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        paths = user.scope_paths
        if not paths:
            return self.none()
        if len(paths) == 1:
            return self.filter(**{f"{self.scope_path}__startswith": paths[0]})
        under = models.Q()
        for path in paths:
            under |= models.Q(**{f"{self.scope_path}__startswith": path})
        return self.filter(under)

    def visible_by_units(self, user):
        """``visible_to`` with the scope resolved to its org units' ids first (``in_units``).
        On the largest tables (a million hazards) the planner then reads the scope's rows by
        the owning unit's index, instead of joining every row to its unit's path, which it can
        only do by walking the whole table."""
        if not (user and user.is_authenticated and user.is_active) or user.sees_whole_city:
            return self.visible_to(user)
        return self.in_units(OrgUnit.objects.visible_to(user))

    def in_units(self, units):
        """The rows owned by ``units`` (an ``OrgUnit`` queryset), fetched as ranges of their
        consecutive ids (one query): a district's units, created together, are one or a few
        ranges, which the planner plans in no time where a list of 4,000 ids took 27 ms."""
        field = f"{self.scope_path.removesuffix('path')}pk"
        ranges = []
        for pk in units.order_by("pk").values_list("pk", flat=True):
            if ranges and ranges[-1][1] == pk - 1:
                ranges[-1][1] = pk
            else:
                ranges.append([pk, pk])
        if not ranges:
            return self.none()
        return self.filter(reduce(or_, (models.Q(**{f"{field}__range": tuple(r)}) for r in ranges)))

    def editable_by(self, user):
        if user and user.is_authenticated and user.is_superuser:
            return self
        if not user_can_edit(user):
            return self.none()
        return self.visible_to(user)


def user_can_edit(user):
    """Whether the user's role may change street data at all (scope is checked separately)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in EDITING_ROLES)
    )


def can_edit_unit(user, unit):
    """Whether ``user`` may change records owned by ``unit``."""
    if not user_can_edit(user) or unit is None:
        return False
    return user.is_superuser or in_scope(user, unit)


def require_edit(user, unit, message=None):
    """Raise PermissionDenied, with the app's own ``message``, unless ``user`` may change
    records owned by ``unit`` (``can_edit_unit``): the one check every service makes first."""
    if not can_edit_unit(user, unit):
        raise PermissionDenied(message or _("您无权修改该单位的记录。"))


def stamp(obj, user):
    """Who created (when new) and who last changed ``obj``: the acting user."""
    if obj.pk is None:
        obj.created_by = user
    obj.updated_by = user


def in_scope(user, unit):
    """Whether ``unit`` lies in what ``user`` sees (the scoping rule, for one unit)."""
    if unit is None or not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or any(unit.path.startswith(p) for p in user.scope_paths)


class OrgUnitQuerySet(ScopedQuerySet):
    scope_path = "path"

    def subtree(self, unit, include_self=True):
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class OrgUnit(models.Model):
    kind = models.CharField(_("层级"), max_length=16, choices=OrgKind.choices)
    code = models.CharField(
        _("编码"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z-]+$", _("编码只能包含字母、数字和连字符。"))],
        help_text=_("唯一编码，如行政区划代码 310105001。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False, default=0)
    population = models.PositiveIntegerField(
        _("常住人口"), null=True, blank=True, help_text=_("用于人均避难场所面积等指标。")
    )
    # The unit's centre (WGS-84), for placing it on the district map.
    latitude = models.DecimalField(
        _("中心纬度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("中心经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织单元")
        verbose_name_plural = _("组织单元")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs the pattern operator class to use an index.
            models.Index(
                fields=["path"], opclasses=["varchar_pattern_ops"], name="orgunit_path_like"
            ),
            models.Index(fields=["kind", "path"], name="orgunit_kind_path"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = self.build_path(self.parent, self.code)
        self.depth = self.path.count(PATH_SEPARATOR) - 2
        with transaction.atomic():
            old_path = (
                OrgUnit.objects.filter(pk=self.pk).values_list("path", flat=True).first()
                if self.pk
                else None
            )
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Re-root the whole subtree in one UPDATE.
                OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1)),
                    depth=models.F("depth") + (self.depth - old_path.count(PATH_SEPARATOR) + 2),
                )
                # The subtree's records left the old ancestors' figures (the new ones hear it
                # from post_save).
                records_changed.send(sender=OrgUnit, paths=[old_path])

    def get_absolute_url(self):
        return reverse("orgs:detail", args=[self.code])

    @staticmethod
    def build_path(parent, code):
        return f"{parent.path if parent else PATH_SEPARATOR}{code}{PATH_SEPARATOR}"

    @property
    def ancestor_codes(self):
        return [c for c in self.path.split(PATH_SEPARATOR) if c][:-1]

    def ancestors(self):
        """Units above this one, root first, in one query."""
        codes = self.ancestor_codes
        return OrgUnit.objects.filter(code__in=codes).order_by("depth") if codes else []

    def street(self):
        """The 街道/镇 this unit belongs to (itself if it is one), or None above street level."""
        if self.kind == OrgKind.STREET:
            return self
        if KIND_DEPTH[self.kind] < KIND_DEPTH[OrgKind.STREET]:
            return None
        return self.ancestors().filter(kind=OrgKind.STREET).first()

    def clean(self):
        super().clean()
        if self.parent is None:
            if self.kind != OrgKind.CITY:
                raise ValidationError({"parent": _("只有“市”级单位可以没有上级单位。")})
            return
        if KIND_DEPTH[self.kind] <= KIND_DEPTH[self.parent.kind]:
            raise ValidationError(
                {
                    "kind": _("下级单位的层级必须低于上级单位（%(parent)s）。")
                    % {"parent": self.parent.get_kind_display()}
                }
            )
        # Levels strictly decrease downwards, so a unit can never be moved into its own subtree.


class User(AbstractUser):
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(
        _("角色"), max_length=32, choices=Role.choices, default=Role.STREET_STAFF
    )
    # Set when an admin creates the account with a password or sets a new one (the admin knows
    # it); cleared when the user changes it. Off by default: seeded and imported accounts
    # (seed_demo, seed_city, createsuperuser) are not forced, see SECURITY.md.
    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        db_default=False,  # rows written by COPY (seed_city) or raw SQL are not forced either
        help_text=_(
            "选中后，用户登录后必须先修改密码才能使用平台。管理员设置或重置密码时自动选中。"
        ),
    )

    # A grid worker's grid: they see the records of its 小区 only.
    grid = models.ForeignKey(
        "orgs.Grid",
        verbose_name=_("网格"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
    )
    mobile = models.CharField(
        _("手机号"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^1[3-9][0-9]{9}$", _("请输入11位手机号码。"))],
        help_text=_("可用手机号登录；预警叫应和验证码短信发到此号码。"),
    )
    # 适老化: the user's own choice, switched from the header (apps/orgs/preferences.py).
    large_text = models.BooleanField(
        _("大字模式"),
        default=False,
        db_default=False,  # rows written by COPY (seed_city) start in the normal size
        help_text=_("选中后，页面文字和按钮放大显示。"),
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["mobile"],
                condition=~models.Q(mobile=""),
                name="user_mobile_unique",
                violation_error_message=_("该手机号已被其他账号使用。"),
            ),
        ]

    @property
    def is_frontline(self):
        return self.role in FRONTLINE_ROLES and not self.is_superuser

    @cached_property
    def scope_paths(self):
        """The org unit paths whose subtrees this user sees: their unit's, or for a grid worker
        the 小区 of their grid (none without a grid). Superusers see everything (not used)."""
        if self.role == Role.GRID_WORKER and not self.is_superuser:
            if self.grid_id is None:
                return []
            return list(self.grid.estates.values_list("path", flat=True))
        return [self.org_unit.path] if self.org_unit_id else []

    @property
    def sees_whole_city(self):
        """An admin, or an account of the city's own unit: scoping keeps nothing out."""
        return self.is_superuser or bool(
            self.org_unit_id and self.role != Role.GRID_WORKER and self.org_unit.parent_id is None
        )

    def get_full_name(self):
        """Chinese order: family name first, no space (张三, not 三 张)."""
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def display_name(self):
        """The name pages show: the full name, or the user name where there is none."""
        return self.get_full_name() or self.username

    @property
    def can_edit(self):
        return user_can_edit(self)

    def clean(self):
        super().clean()
        if not self.is_superuser and self.org_unit_id is None:
            raise ValidationError({"org_unit": _("请为用户选择所属单位。")})
        if self.role == Role.GRID_WORKER:
            if self.grid_id is None:
                raise ValidationError({"grid": _("网格员须选择所在网格。")})
            if self.org_unit_id and self.grid.community_id != self.org_unit_id:
                raise ValidationError({"grid": _("网格须属于该用户所在的居委/村。")})
        if (
            self.role in FRONTLINE_ROLES
            and self.org_unit_id
            and KIND_DEPTH[self.org_unit.kind] < KIND_DEPTH[OrgKind.COMMUNITY]
        ):
            raise ValidationError(
                {"org_unit": _("居委/村工作人员、网格员和灾害信息员须属于居委/村或小区。")}
            )


class GridQuerySet(ScopedQuerySet):
    scope_path = "community__path"


class Grid(models.Model):
    """A 网格 of a community (多格合一): the 小区 one grid worker looks after."""

    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("居委/村"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"kind": OrgKind.COMMUNITY},
    )
    name = models.CharField(_("网格名称"), max_length=100)
    estates = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("小区"),
        related_name="estate_grids",
        blank=True,
        limit_choices_to={"kind": OrgKind.ESTATE},
    )

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["community__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="grid_name_unique",
                violation_error_message=_("该居委/村已有同名网格。"),
            ),
        ]

    def __str__(self):
        return f"{self.community.name} · {self.name}"


class ScopedModel(models.Model):
    """Base for every domain record: owned by one org unit (which decides who sees it) and
    attributable (who created it and who last changed it, and when).

    Services set ``created_by``/``updated_by`` from the acting user."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


def common_path(units):
    """The path of the deepest unit every one of ``units`` lies under (or is)."""
    prefix = os.path.commonprefix([u.path for u in units])
    return prefix[: prefix.rfind(PATH_SEPARATOR) + 1]


def rollup(queryset, units, *, path="org_unit__path", **aggregates):
    """``{unit.pk: {name: value}}``: each of ``aggregates`` (``Count``, ``Sum``, ``Max`` or
    ``Min``, filters allowed) over the rows of ``queryset`` in each unit's subtree.

    One query whatever the number of units: the rows under the units are grouped by their own
    unit in SQL (constant path prefixes, so the path index applies) and those groups are added
    up the tree here, walking each group's ancestors. A correlated subquery per unit cannot
    use the index and took seconds on the city data set. Empty subtrees give 0 (``None`` for
    ``Max`` and ``Min``)."""
    units = list(units)
    combine = {
        name: max if isinstance(agg, models.Max) else min if isinstance(agg, models.Min) else None
        for name, agg in aggregates.items()
    }
    result = {
        unit.pk: {name: None if how else 0 for name, how in combine.items()} for unit in units
    }
    by_path = {}
    for unit in units:
        by_path.setdefault(unit.path, []).append(unit)
    # the smallest set of prefixes covering every unit (a unit inside another adds nothing);
    # for many units, their common ancestor (rows outside every unit are skipped below)
    prefixes = []
    for unit_path in sorted(by_path):
        if not prefixes or not unit_path.startswith(prefixes[-1]):
            prefixes.append(unit_path)
    if not prefixes:
        return result
    if len(prefixes) > 20:
        prefixes = [common_path(units)]
    under = models.Q()
    for prefix in prefixes:
        under |= models.Q(**{f"{path}__startswith": prefix})
    for group in queryset.filter(under).order_by().values(path).annotate(**aggregates):
        group_path, end = group[path], 0
        while (end := group_path.find(PATH_SEPARATOR, end) + 1) > 0:
            for unit in by_path.get(group_path[:end], ()):
                figures = result[unit.pk]
                for name, how in combine.items():
                    value = group[name]
                    if value is None:
                        continue
                    current = figures[name]
                    if how is None:
                        figures[name] = current + value
                    else:
                        figures[name] = value if current is None else how(current, value)
    return result
