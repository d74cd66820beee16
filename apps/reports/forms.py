import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgKind, OrgUnit


class StreetReportForm(forms.Form):
    street = forms.ModelChoiceField(
        label=_("街道/镇"), queryset=OrgUnit.objects.none(), to_field_name="code"
    )
    # <input type="date"> takes ISO dates only: the localised format left the fields empty, and
    # the browser then refused to send the form at all
    start = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streets = OrgUnit.objects.visible_to(user).filter(kind=OrgKind.STREET).order_by("code")
        self.fields["street"].queryset = streets
        today = timezone.localdate()
        self.fields["start"].initial = datetime.date(today.year, 1, 1)
        self.fields["end"].initial = today
        if user.org_unit and user.org_unit.kind == OrgKind.STREET:
            self.fields["street"].initial = user.org_unit.code

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data

    def params(self):
        data = self.cleaned_data
        return {
            "street": data["street"].code,
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
        }
