"""The response card's place on the plan page: a link to the card, and the revision flags
raised by the 事后评估 of the plan's closed events."""

from django import template

from apps.response.models import Event, EventStatus

register = template.Library()


@register.inclusion_tag("response/_plan_card.html")
def plan_card(plan):
    flags = Event.objects.filter(
        plan=plan, status=EventStatus.CLOSED, plan_needs_revision=True
    ).order_by("-closed_at")[:3]
    return {"plan": plan, "flags": list(flags)}
