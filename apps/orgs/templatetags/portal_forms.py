from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

SELECTED = mark_safe(" selected")


@register.simple_tag
def select_options(field):
    """The ``<option>``s of a filter form's choice ``field``, the submitted one selected, in one
    pass: a district's list of units or sites runs to hundreds of options, and a template loop
    (or Django's widget, one template per option) took tens of milliseconds to render them."""
    value = field.value()
    selected = "" if value is None else str(value)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (choice, SELECTED if str(choice) == selected else "", label)
            for choice, label in field.field.choices
        ),
    )
