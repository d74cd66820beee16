"""Integration clients, their tokens and webhooks, kept by superusers in admin.

A token is shown once, on the page that issues it (never in a message, which may travel in a
cookie); only its prefix and the SHA-256 of its secret are kept. Rotating issues a new token and
revokes the client's others; a revoked token answers 401 at once. Subscriptions have a
test-send action; the delivery log is read-only, with a resend action.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import webhooks
from .models import (
    ApiClient,
    ApiToken,
    PopulationFigure,
    Scope,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    WorkOrder,
)


class SuperusersOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


def show_tokens(request, issued):
    """The one page that shows new tokens: ``issued`` is [(client, token, plaintext)]."""
    return render(
        request,
        "api/admin/tokens.html",
        {**admin.site.each_context(request), "issued": issued, "title": gettext("新令牌")},
    )


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("组织单元对任何令牌可读。写权限使服务账号按街镇工作人员的规则写入。"),
    )

    class Meta:
        model = ApiClient
        fields = [
            "name",
            "org_unit",
            "scopes",
            "requests_per_minute",
            "contact",
            "note",
            "is_active",
        ]


class TokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ["prefix", "label", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(SuperusersOnly, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "org_unit", "scope_list", "requests_per_minute", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit"]
    readonly_fields = ["actor", "created_at", "updated_at"]
    list_select_related = ["org_unit"]
    inlines = [TokenInline]
    actions = ["issue_token", "rotate_tokens"]

    @admin.display(description=_("权限范围"))
    def scope_list(self, client):
        return "、".join(client.scopes or [])

    def _issue(self, request, queryset, *, revoke):
        issued = []
        with transaction.atomic():
            for client in queryset:
                if revoke:
                    ApiToken.revoke_all(client.tokens.all())
                token, plaintext = ApiToken.issue(
                    client, user=request.user, label=gettext("管理后台生成")
                )
                issued.append((client, token, plaintext))
        return show_tokens(request, issued)

    @admin.action(description=_("生成新令牌（原令牌仍有效）"))
    def issue_token(self, request, queryset):
        return self._issue(request, queryset, revoke=False)

    @admin.action(description=_("轮换令牌（生成新令牌并吊销原令牌）"))
    def rotate_tokens(self, request, queryset):
        return self._issue(request, queryset, revoke=True)


@admin.register(ApiToken)
class ApiTokenAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["__str__", "client", "label", "created_at", "expires_at", "revoked_at"]
    list_filter = ["client"]
    list_select_related = ["client"]
    fields = ["client", "prefix", "label", "expires_at", "created_at", "revoked_at"]
    readonly_fields = ["client", "prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request, *args):
        return False  # tokens are issued from their client (the secret is shown once there)

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        count = ApiToken.revoke_all(queryset)
        self.message_user(request, gettext("已吊销 %(n)d 个令牌。") % {"n": count})


class SubscriptionForm(forms.ModelForm):
    # an address typed without a scheme is taken as https (Django 6's default, said now)
    url = forms.URLField(label=_("推送地址"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("订阅事件"),
        choices=[c for c in WebhookEvent.choices if c[0] != WebhookEvent.PING],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["client", "url", "events", "is_active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(SuperusersOnly, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["client", "url", "event_list", "is_active"]
    list_filter = ["is_active", "client"]
    list_select_related = ["client"]
    readonly_fields = ["secret", "created_at"]
    actions = ["test_send"]

    @admin.display(description=_("订阅事件"))
    def event_list(self, subscription):
        labels = dict(WebhookEvent.choices)
        return "、".join(str(labels.get(e, e)) for e in subscription.events or [])

    change_form_template = "api/admin/subscription_change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:pk>/test-send/",
                self.admin_site.admin_view(self.test_send_view),
                name="api_webhooksubscription_test_send",
            ),
            *super().get_urls(),
        ]

    def test_send_view(self, request, pk):
        """The change page's 发送测试推送 button (POST)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        subscription = get_object_or_404(WebhookSubscription, pk=pk)
        if not self.has_change_permission(request, subscription):
            raise PermissionDenied
        webhooks.send_test(subscription)
        self.message_user(request, gettext("已发送测试推送，结果见推送记录。"), messages.SUCCESS)
        return redirect("admin:api_webhooksubscription_change", pk)

    @admin.action(description=_("发送测试推送"))
    def test_send(self, request, queryset):
        for subscription in queryset:
            webhooks.send_test(subscription)
        self.message_user(
            request,
            gettext("已向 %(n)d 个地址发送测试推送，结果见推送记录。") % {"n": queryset.count()},
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "event",
        "subscription",
        "status",
        "attempts",
        "response_status",
        "delivered_at",
    ]
    list_filter = ["status", "event"]
    list_select_related = ["subscription__client"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request, *args):
        return False

    @admin.action(description=_("重新推送"))
    def resend(self, request, queryset):
        for delivery in queryset:
            webhooks.resend(delivery)
        self.message_user(request, gettext("已重新排队推送。"), messages.SUCCESS)


@admin.register(WorkOrder)
class WorkOrderAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["order_id", "client", "hazard", "created_at"]
    list_filter = ["client"]
    search_fields = ["order_id"]
    list_select_related = ["client", "hazard"]
    readonly_fields = ["client", "order_id", "hazard", "created_at"]

    def has_add_permission(self, request, *args):
        return False


@admin.register(PopulationFigure)
class PopulationFigureAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["org_unit", "population", "households", "as_of", "client", "updated_at"]
    search_fields = ["org_unit__name", "org_unit__code"]
    list_select_related = ["org_unit", "client"]
    readonly_fields = ["org_unit", "population", "households", "as_of", "client", "updated_at"]

    def has_add_permission(self, request, *args):
        return False
