"""``{% load people_privacy %}``: ``{{ member.phone|phone:reveal }}`` and
``{{ resident.id_number|id_number:reveal }}``, where ``reveal`` is the view's
``show_identifiers`` (``privacy.can_see_identifiers(user)``)."""

from django import template

from ..privacy import id_number_for, phone_for

register = template.Library()


@register.filter
def phone(value, reveal=False):
    return phone_for(value, reveal) or "—"


@register.filter
def id_number(value, reveal=False):
    return id_number_for(value, reveal) or "—"
