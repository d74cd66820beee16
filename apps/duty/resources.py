"""The duty roster (值班表) as a spreadsheet (export only). Phones are shown in full to the
people of the roster's unit and above (``reveal``), masked otherwise (apps.people.privacy)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from apps.people.privacy import phone_for

from .models import Shift


def _people(users, reveal):
    return "、".join(f"{u.display_name} {phone_for(u.mobile, reveal)}".strip() for u in users)


class ShiftResource(resources.ModelResource):
    """One row per shift; the queryset comes from ``selectors.with_people``."""

    unit = fields.Field(attribute="roster__org_unit__name", column_name=_("值班单位"))
    starts_at = fields.Field(column_name=_("开始时间"))
    ends_at = fields.Field(column_name=_("结束时间"))
    leader = fields.Field(column_name=_("带班领导"))
    officers = fields.Field(column_name=_("值班员"))
    reinforced = fields.Field(column_name=_("加强值班"))
    signed_in_at = fields.Field(column_name=_("签到时间"))

    class Meta:
        model = Shift
        fields = (
            "unit",
            "starts_at",
            "ends_at",
            "leader",
            "officers",
            "reinforced",
            "signed_in_at",
        )
        export_order = fields

    def __init__(self, *, reveal, **kwargs):
        super().__init__(**kwargs)
        self.reveal = reveal

    @staticmethod
    def _time(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def dehydrate_starts_at(self, shift):
        return self._time(shift.starts_at)

    def dehydrate_ends_at(self, shift):
        return self._time(shift.ends_at)

    def dehydrate_signed_in_at(self, shift):
        return self._time(shift.signed_in_at)

    def dehydrate_leader(self, shift):
        return _people([shift.leader], self.reveal) if shift.leader else ""

    def dehydrate_officers(self, shift):
        return _people(shift.officers.all(), self.reveal)

    def dehydrate_reinforced(self, shift):
        return str(shift.get_reinforced_reason_display()) if shift.reinforced else ""
