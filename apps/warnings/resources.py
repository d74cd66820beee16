"""Excel for 预警叫应: the 责任人 list in and out (through ``apps.files.spreadsheets``, scoped
to the acting user), and the 叫应记录 of one warning out, phones masked unless the user may see
them."""

from django.utils import timezone
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.files.spreadsheets import ScopedResource
from apps.people.privacy import phone_for
from apps.people.resources import ChoiceWidget, PhoneWidget, text

from .models import Call, Duty, DutyHolder, Position


class DutyHolderResource(ScopedResource):
    org_unit_name = fields.Field(
        attribute="org_unit__name", column_name=gettext_lazy("所属单位"), readonly=True
    )
    duty = fields.Field(
        attribute="duty", column_name=gettext_lazy("职责"), widget=ChoiceWidget(Duty.choices)
    )
    position = fields.Field(
        attribute="position",
        column_name=gettext_lazy("AB岗"),
        widget=ChoiceWidget(Position.choices),
    )
    name = text("name", gettext_lazy("姓名"))
    mobile = fields.Field(
        attribute="mobile", column_name=gettext_lazy("手机号"), widget=PhoneWidget()
    )
    email = text("email", gettext_lazy("电子邮箱"))

    class Meta(ScopedResource.Meta):
        model = DutyHolder
        fields = ("org_unit", "org_unit_name", "duty", "position", "name", "mobile", "email")
        export_order = fields
        import_id_fields = ("org_unit", "duty", "position")


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class CallResource(resources.ModelResource):
    """叫应记录 (export only)."""

    unit = fields.Field(attribute="org_unit__name", column_name=gettext_lazy("单位"))
    duty = fields.Field(column_name=gettext_lazy("职责"))
    name = fields.Field(attribute="name", column_name=gettext_lazy("姓名"))
    mobile = fields.Field(column_name=gettext_lazy("手机号"))
    tier = fields.Field(column_name=gettext_lazy("叫应轮次"))
    called_at = fields.Field(column_name=gettext_lazy("叫应时间"))
    status = fields.Field(column_name=gettext_lazy("状态"))
    acknowledged_at = fields.Field(column_name=gettext_lazy("确认时间"))
    minutes = fields.Field(column_name=gettext_lazy("用时（分钟）"))
    channel = fields.Field(column_name=gettext_lazy("确认渠道"))

    class Meta:
        model = Call
        fields = export_order = (
            "unit",
            "duty",
            "name",
            "mobile",
            "tier",
            "called_at",
            "status",
            "acknowledged_at",
            "minutes",
            "channel",
        )

    def __init__(self, *, reveal=False, **kwargs):
        super().__init__(**kwargs)
        self.reveal = reveal

    def dehydrate_duty(self, call):
        return f"{call.get_duty_display()} {call.position}"

    def dehydrate_mobile(self, call):
        return phone_for(call.mobile, self.reveal)

    def dehydrate_tier(self, call):
        return str(call.get_tier_display())

    def dehydrate_called_at(self, call):
        return _local(call.called_at)

    def dehydrate_status(self, call):
        return str(call.get_status_display())

    def dehydrate_acknowledged_at(self, call):
        return _local(call.acknowledged_at)

    def dehydrate_minutes(self, call):
        seconds = call.seconds_to_acknowledge
        return "" if seconds is None else round(seconds / 60, 1)

    def dehydrate_channel(self, call):
        return str(call.get_channel_display()) if call.channel else ""
