from django.contrib import admin

from .models import Notification, NotificationSettings


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "rule", "due", "created_at", "read_at", "emailed_at"]
    list_filter = ["rule", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__username", "key"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
