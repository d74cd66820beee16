from django import forms
from django.utils.translation import gettext_lazy as _

from .events import EVENTS
from .models import NotificationSettings
from .rules import RULES


class NotificationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("unread", _("未读")), ("read", _("已读"))],
    )
    rule = forms.ChoiceField(label=_("提醒类型"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部类型"))] + [
            (code, rule.label) for code, rule in sorted({**RULES, **EVENTS}.items())
        ]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        state, rule = self.cleaned_data["state"], self.cleaned_data["rule"]
        if state == "unread":
            queryset = queryset.filter(read_at__isnull=True)
        elif state == "read":
            queryset = queryset.filter(read_at__isnull=False)
        if rule:
            queryset = queryset.filter(rule=rule)
        return queryset


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email_enabled"]
