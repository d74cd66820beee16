"""Export of a shelter's check-ins (入住登记台账) for the spreadsheet the site keeps. Phone and
ID numbers are masked unless the user may see identifiers; the names of residents picked from
the vulnerable-resident register are left out unless the user may see that register."""

from django.utils import timezone
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.people.privacy import (
    can_see_identifiers,
    can_see_vulnerable,
    id_number_for,
    phone_for,
)

from .models import CheckIn


def _field(attribute, column_name):
    return fields.Field(attribute=attribute, column_name=column_name, readonly=True)


class CheckInResource(resources.ModelResource):
    shelter = _field("operation__shelter__name", gettext_lazy("避难场所"))
    name = _field("name", gettext_lazy("姓名"))
    phone = _field("phone", gettext_lazy("手机号码"))
    id_number = _field("id_number", gettext_lazy("身份证号"))
    household_size = _field("household_size", gettext_lazy("同行人数（含本人）"))
    elderly = _field("elderly", gettext_lazy("老人"))
    children = _field("children", gettext_lazy("儿童"))
    alone = _field("alone", gettext_lazy("孤寡"))
    disabled = _field("disabled", gettext_lazy("残疾人"))
    pregnant = _field("pregnant", gettext_lazy("孕妇"))
    checked_in_at = _field("checked_in_at", gettext_lazy("入住时间"))
    checked_out_at = _field("checked_out_at", gettext_lazy("离开时间"))

    class Meta:
        model = CheckIn
        fields = (
            "shelter",
            "name",
            "phone",
            "id_number",
            "household_size",
            "elderly",
            "children",
            "alone",
            "disabled",
            "pregnant",
            "checked_in_at",
            "checked_out_at",
        )
        export_order = fields

    def __init__(self, user, **kwargs):
        super().__init__(**kwargs)
        self.reveal = can_see_identifiers(user)
        self.show_residents = can_see_vulnerable(user)

    def dehydrate_name(self, entry):
        if entry.resident_id and not self.show_residents:
            return str(gettext_lazy("（名册居民）"))
        return entry.name

    def dehydrate_phone(self, entry):
        return phone_for(entry.phone, self.reveal)

    def dehydrate_id_number(self, entry):
        return id_number_for(entry.id_number, self.reveal)

    def dehydrate_checked_in_at(self, entry):
        return timezone.localtime(entry.checked_in_at).strftime("%Y-%m-%d %H:%M")

    def dehydrate_checked_out_at(self, entry):
        if entry.checked_out_at is None:
            return ""
        return timezone.localtime(entry.checked_out_at).strftime("%Y-%m-%d %H:%M")
