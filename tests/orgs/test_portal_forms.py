"""``select_options``: the options of a filter's choice field, rendered in one pass."""

from django import forms
from django.template import Context, Template

from apps.orgs.models import OrgUnit


class UnitFilter(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.order_by("code"), required=False, empty_label="全部单位"
    )
    kind = forms.ChoiceField(
        choices=[("", "全部"), ("a", "<b>甲</b>"), ("b", "乙")], required=False
    )


def render(form, name):
    template = Template("{% load portal_forms %}{% select_options field %}")
    return template.render(Context({"field": form[name]}))


def test_the_submitted_unit_is_selected_and_every_unit_listed(tree):
    html = render(UnitFilter({"unit": str(tree["s1"].pk)}), "unit")
    assert html.startswith('<option value="">全部单位</option>')
    assert f'<option value="{tree["s1"].pk}" selected>甲街道</option>' in html
    assert html.count("<option") == OrgUnit.objects.count() + 1
    assert html.count(" selected") == 1


def test_labels_are_escaped_and_nothing_is_selected_without_a_value():
    html = render(UnitFilter({}), "kind")
    assert '<option value="a">&lt;b&gt;甲&lt;/b&gt;</option>' in html
    assert " selected" not in html.replace('value="" selected', "")
    assert render(UnitFilter({"kind": "b"}), "kind").count('value="b" selected') == 1
