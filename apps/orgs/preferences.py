"""Each user's display preferences: the large-text mode (适老化) switched from the header.

A preference changes only the requesting user's own row, so there is no scope to check: any
logged-in user may switch it (the front line too: the phone pages have the same switch), by
POST only, and lands back on the page they switched it from.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .frontline import frontline
from .models import User


def set_large_text(user: User, *, on: bool) -> None:
    """Turn the large-text mode on or off for ``user`` (their own preference only)."""
    User.objects.filter(pk=user.pk).update(large_text=on)  # one row, one column: no lock needed
    user.large_text = on


@frontline
@login_required
@require_POST
def toggle_large_text(request):
    on = not request.user.large_text
    set_large_text(request.user, on=on)
    messages.success(request, _("已切换到大字模式。") if on else _("已恢复标准字号。"))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    return redirect(target)
