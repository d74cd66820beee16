from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from .events import label_of
from .forms import NotificationFilterForm, NotificationSettingsForm
from .models import Notification, NotificationSettings


class NotificationListView(LoginRequiredMixin, ListView):
    frontline = True  # everyone's own notifications
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = NotificationFilterForm(self.request.GET or None)
        return self.filter_form.filter(Notification.objects.for_user(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings_, _created = NotificationSettings.objects.get_or_create(user=self.request.user)
        for notification in context["notifications"]:
            # a reminder rule's, a declared event's (events.py), else 通知 (a warning's call)
            notification.rule_label = label_of(notification.rule)
        context.update(
            filter_form=self.filter_form,
            settings_form=NotificationSettingsForm(instance=settings_),
        )
        return context


class OpenNotificationView(LoginRequiredMixin, View):
    """POST: mark one notification read and go to its object."""

    frontline = True  # everyone's own notifications

    def post(self, request, pk):
        notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        target = notification.url
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "notifications:list"
        return redirect(target)


class MarkAllReadView(LoginRequiredMixin, View):
    frontline = True  # everyone's own notifications

    def post(self, request):
        count = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
        messages.success(request, _("已将 %(n)d 条提醒标为已读。") % {"n": count})
        return redirect("notifications:list")


class NotificationSettingsView(LoginRequiredMixin, View):
    frontline = True  # everyone's own notifications

    def post(self, request):
        settings_, _created = NotificationSettings.objects.get_or_create(user=request.user)
        form = NotificationSettingsForm(request.POST, instance=settings_)
        if form.is_valid():
            form.save()
            if settings_.email_enabled:
                messages.success(request, _("已开启邮件提醒。"))
            else:
                messages.success(request, _("已关闭邮件提醒，仍可在站内查看提醒。"))
        return redirect("notifications:list")
