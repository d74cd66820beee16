"""Forms of the org app. The org unit edit form: names and codes of org units are reference
data, an admin's; street staff keep the other figures of their units (the resident population)
and see the name read-only; the code is never a field here (it is the unit's key in every URL
and import). The front line's accounts and grids: choices limited to the front-line roles and
to the user's own communities; ``apps.orgs.services`` checks the same again."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import FRONTLINE_ROLES, KIND_DEPTH, Grid, OrgKind, OrgUnit, Role


def unit_filter(form, user, name="unit"):
    """A list's unit filter: any street or 居委 in the user's scope is accepted (other pages
    link to a list of one 居委), but above a street the drop-down offers the streets only —
    a district has over a thousand 居委, a list of them all is neither usable nor cheap to
    draw (a search finds one) — plus the one chosen. Street staff pick among all of theirs."""
    field = form.fields[name]
    field.queryset = (
        OrgUnit.objects.visible_to(user)
        .filter(kind__in=[OrgKind.STREET, OrgKind.COMMUNITY])
        .order_by("path")
    )
    unit = None if user.is_superuser else user.org_unit
    if unit is not None and KIND_DEPTH[unit.kind] >= KIND_DEPTH[OrgKind.STREET]:
        return
    key = field.to_field_name or "pk"
    shown = Q(kind=OrgKind.STREET)
    chosen = form.data.get(form.add_prefix(name)) if form.is_bound else None
    if chosen:
        shown |= Q(**{key: chosen}) if key != "pk" or str(chosen).isdigit() else Q()
    field.choices = [
        ("", field.empty_label),
        *((getattr(u, key), field.label_from_instance(u)) for u in field.queryset.filter(shown)),
    ]


def unit_field():
    """The ``unit`` field of a list's filter form: a street or 居委 by its code, "全部单位" when
    none; its choices are set by ``unit_filter`` (``UnitFilterMixin``)."""
    return forms.ModelChoiceField(
        label=_("单位"),
        required=False,
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        empty_label=_("全部单位"),
    )


class UnitFilterMixin:
    """A list's filter form with a ``unit_field()``: it takes the acting user and offers the
    units in their scope (``unit_filter``)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit_filter(self, user)


def may_edit_reference_data(user):
    return bool(user and (user.is_superuser or user.role == Role.ADMIN))


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "population"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_edit_reference_data(user):
            # A disabled field keeps its initial value whatever is posted.
            self.fields["name"].disabled = True
            self.fields["name"].required = False
            self.fields["name"].help_text = _("单位名称和编码由系统管理员维护。")


# --- Front-line accounts and grids ----------------------------------------------------------


def _label_with_community(unit):
    """小区 under their 居委 (“华一居民区 · 华一小区”), a 居委 by its name."""
    return f"{unit.parent.name} · {unit.name}" if unit.kind == OrgKind.ESTATE else unit.name


class AccountForm(forms.Form):
    """A front-line account: the role is one of the front line's, the unit one of the user's
    communities or 小区 (a grid worker's is their grid's community)."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("登录用；字母、数字和 @ . + - _。"),
    )
    last_name = forms.CharField(label=_("姓名"), max_length=150)
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=11,
        required=False,
        help_text=_("可用手机号登录；短信验证码发到此号码。"),
    )
    role = forms.ChoiceField(
        label=_("角色"), choices=[(r.value, r.label) for r in Role if r in FRONTLINE_ROLES]
    )
    org_unit = forms.ModelChoiceField(
        label=_("所属居委/村或小区"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("网格员按所选网格确定，可不选。"),
    )
    grid = forms.ModelChoiceField(
        label=_("网格"),
        queryset=Grid.objects.none(),
        required=False,
        help_text=_("仅网格员需要选择。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = (
            OrgUnit.objects.editable_by(user)
            .filter(kind__in=[OrgKind.COMMUNITY, OrgKind.ESTATE])
            .select_related("parent")
            .order_by("path")
        )
        self.fields["org_unit"].label_from_instance = _label_with_community
        self.fields["grid"].queryset = Grid.objects.editable_by(user).select_related("community")


class AccountEditForm(AccountForm):
    """The same without the user name (the account's key, as in the admin)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["username"]


class BulkAccountsForm(forms.Form):
    """Several grid workers at once: one per line, the name and the mobile number (the user
    name), separated by spaces or a comma."""

    lines = forms.CharField(
        label=_("网格员名单"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "张三 13800000000"}),
        help_text=_("每行一人：姓名 手机号（手机号即用户名）。"),
    )

    def clean_lines(self):
        people, errors = [], []
        rows = [line for line in self.cleaned_data["lines"].splitlines() if line.strip()]
        for number, line in enumerate(rows, start=1):
            parts = line.replace(",", " ").replace("，", " ").split()
            if len(parts) != 2:
                errors.append(
                    _("第 %(n)d 行：应为“姓名 手机号”两项，现为“%(line)s”。")
                    % {"n": number, "line": line.strip()}
                )
                continue
            people.append(tuple(parts))
        if errors:
            raise forms.ValidationError(errors)
        return people


class GridForm(forms.ModelForm):
    """A grid of one of the user's communities and its 小区 (the community's)."""

    class Meta:
        model = Grid
        fields = ["community", "name", "estates"]
        widgets = {"estates": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.editable_by(user).order_by("path")
        if self.instance.pk:
            # A grid stays in its community (its workers belong there).
            self.fields["community"].disabled = True
            estates = units.filter(parent=self.instance.community_id)
        else:
            estates = units.filter(kind=OrgKind.ESTATE)
        self.fields["community"].queryset = units.filter(kind=OrgKind.COMMUNITY)
        self.fields["estates"].queryset = estates.filter(kind=OrgKind.ESTATE).select_related(
            "parent"
        )
        self.fields["estates"].label_from_instance = _label_with_community
        self.fields["estates"].required = False


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    role = forms.ChoiceField(
        label=_("角色"),
        required=False,
        choices=[("", _("全部角色")), *((r.value, r.label) for r in Role if r in FRONTLINE_ROLES)],
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("active", _("启用")), ("disabled", _("已停用"))],
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(username__icontains=q)
                | Q(last_name__icontains=q)
                | Q(first_name__icontains=q)
                | Q(mobile__startswith=q)
                | Q(org_unit__name__icontains=q)
            )
        if data["role"]:
            queryset = queryset.filter(role=data["role"])
        if data["status"]:
            queryset = queryset.filter(is_active=data["status"] == "active")
        return queryset
