"""View mixins for the scoping rule; every app's views use these.

A record outside the user's scope is a 404 (it does not exist for them); a record in scope that
the user may only read (district reviewers, city viewers) is a 403 on any change.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.views.generic import FormView
from django.views.generic.detail import SingleObjectMixin

from .models import can_edit_unit, user_can_edit


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


class EditorsOnlyMixin(LoginRequiredMixin):
    """Create pages: street staff and admins only (403 for reviewers and city viewers)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_can_edit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def apply_validation_error(form, exc):
    """Show a service's ValidationError on the form: each field's errors on that field when the
    form has it, everything else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ServiceFormMixin:
    """A create or update view whose record is saved through a service. ``save(form)`` calls
    the service and returns the record; a ValidationError from it is shown on the form (with
    ``apply_validation_error``) and nothing is saved; otherwise ``success_message()`` (if any)
    is shown and the user goes to ``get_success_url()`` (the record). The form gets the acting
    user (``user=``)."""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        try:
            self.object = self.save(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        message = self.success_message()
        if message:
            messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())

    def save(self, form):
        raise NotImplementedError

    def success_message(self):
        return None


class RecordActionView(ScopedEditMixin, SingleObjectMixin, FormView):
    """One action on one record through a service (new version, retire, complete, inspect …):
    404 outside the user's scope, 403 for read-only roles; a ValidationError from the service
    is shown on the form and nothing changes. Subclasses set ``model``, ``form_class``,
    ``template_name`` and ``perform(data)``; the record is ``self.object`` (and, in templates,
    under its model name), the page's ``title`` (when set) is ``title``."""

    title = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.title is not None:
            context["title"] = self.title
        return context

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        return super().form_valid(form)

    def perform(self, data):
        raise NotImplementedError
