"""The org unit edit form. Names and codes of org units are reference data, an admin's: street
staff keep the other figures of their units (the resident population) and see the name
read-only; the code is never a field here (it is the unit's key in every URL and import)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OrgUnit, Role


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
