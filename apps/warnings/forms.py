from django import forms
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgKind, OrgUnit, User

from .models import DutyHolder, Warning, WarningType
from .services import ISSUING_KINDS, issuing_units


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class WarningForm(forms.ModelForm):
    class Meta:
        model = Warning
        fields = [
            "org_unit",
            "warning_type",
            "level",
            "source",
            "headline",
            "text",
            "expires_at",
            "areas",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "expires_at": DateTimeInput(),
            "areas": forms.SelectMultiple(attrs={"size": 10}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = issuing_units(user)
        self.fields["org_unit"].label = _("发布单位（区或街镇）")
        self.fields["warning_type"].queryset = WarningType.objects.filter(is_active=True)
        self.fields["areas"].queryset = OrgUnit.objects.filter(
            path__startswith=user.org_unit.path if user.org_unit_id else "/",
            kind__in=[OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY],
        )
        self.fields["areas"].help_text = _("须在发布单位辖区内；按住 Ctrl 可多选。")
        if self.instance.pk is None and user.org_unit and user.org_unit.kind in ISSUING_KINDS:
            self.fields["org_unit"].initial = user.org_unit.pk
            self.fields["areas"].initial = [user.org_unit.pk]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("解除原因"), max_length=200)


class CapUploadForm(forms.Form):
    issuer = forms.ModelChoiceField(
        label=_("接收单位（区或街镇）"), queryset=OrgUnit.objects.none()
    )
    file = forms.FileField(label=_("CAP 1.2 XML 文件"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuing_units(user)
        if user.org_unit and user.org_unit.kind in ISSUING_KINDS:
            self.fields["issuer"].initial = user.org_unit.pk


class DutyHolderForm(forms.ModelForm):
    class Meta:
        model = DutyHolder
        fields = ["org_unit", "duty", "position", "name", "mobile", "email", "user"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.editable_by(user)
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, org_unit__in=OrgUnit.objects.editable_by(user)
        ).order_by("username")
        if self.instance.pk is None and user.org_unit:
            self.fields["org_unit"].initial = user.org_unit.pk
