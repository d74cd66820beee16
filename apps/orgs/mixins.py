"""View mixins for the scoping rule; every app's views use these.

A record outside the user's scope is a 404 (it does not exist for them); a record in scope that
the user may only read (district reviewers, city viewers) is a 403 on any change.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from .models import can_edit_unit


class ScopedMixin(LoginRequiredMixin):
    """List, detail and export views: the queryset is what the user may see."""

    def get_queryset(self):
        parent = getattr(super(), "get_queryset", None)
        queryset = parent() if parent else self.model._default_manager.all()
        return queryset.visible_to(self.request.user)


class ScopedEditMixin(ScopedMixin):
    """Update, delete and action views: the object must be visible (else 404) and its owning
    unit editable by the user (else 403)."""

    def get_owning_unit(self, obj):
        return obj.org_unit

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not can_edit_unit(self.request.user, self.get_owning_unit(obj)):
            raise PermissionDenied
        return obj
