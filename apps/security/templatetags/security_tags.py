from django import template

from ..audit import history_for

register = template.Library()


@register.inclusion_tag("security/_history.html")
def record_history(obj):
    """The 修改记录 section of a detail page: ``{% record_history object %}``."""
    return {"entries": history_for(obj)}
