from django.contrib import admin

from .models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["key", "hazard", "user", "created_at"]
    search_fields = ["key", "hazard__title", "user__username"]
    readonly_fields = ["key", "hazard", "user", "created_at"]
