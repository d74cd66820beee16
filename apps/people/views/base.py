"""What the pages of the people register share: the section menu, filtered lists and one
form view that calls a service."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from apps.orgs.mixins import EditorsOnlyMixin, ScopedMixin, apply_validation_error
from apps.orgs.models import can_edit_unit, user_can_edit

from ..privacy import can_see_identifiers, can_see_vulnerable


class PeopleContextMixin:
    """What every page of the app needs: the tab, whether identifiers are shown in full and
    whether the vulnerable-resident tab is visible."""

    tab = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            tab=self.tab,
            show_identifiers=can_see_identifiers(user),
            show_vulnerable=can_see_vulnerable(user),
            can_create=user_can_edit(user),
        )
        return context


class FilteredListMixin(ScopedMixin, PeopleContextMixin):
    paginate_by = 50
    filter_form_class = None

    def get_filter_form(self):
        return self.filter_form_class(self.request.GET or None, user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filter_form=self.filter_form)
        return context


class CreateMixin(EditorsOnlyMixin, PeopleContextMixin):
    """Create pages: street staff only (403 for reviewers)."""


class RecordFormView(LoginRequiredMixin, PeopleContextMixin, FormView):
    """Create or edit one record through a service. Subclasses set ``model``, ``form_class``,
    ``service`` and, for edits, fetch the object through ``visible_to`` (404) and check the
    unit (403)."""

    template_name = "people/form.html"
    model = None
    title = ""
    service = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_access()
        self.object = self.get_object()
        if self.object is None:
            if not user_can_edit(request.user):
                raise PermissionDenied
        elif not can_edit_unit(request.user, self.owning_unit(self.object)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def check_access(self):
        pass

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        return get_object_or_404(self.model.objects.visible_to(self.request.user), pk=pk)

    def owning_unit(self, obj):
        return obj.org_unit

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs() | {"user": self.request.user}
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": self.get_title(),
            "cancel_url": self.get_cancel_url(),
            "object": self.object,
        }

    def get_title(self):
        return self.title

    def get_cancel_url(self):
        return self.object.get_absolute_url() if self.object else reverse(self.list_url)

    def form_valid(self, form):
        try:
            with_m2m = self.save(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect(self.get_success_url(with_m2m))

    def save(self, form):
        obj = self.service(self.request.user, form.save(commit=False))
        form.save_m2m()
        return obj

    def get_success_url(self, obj=None):
        return obj.get_absolute_url()
