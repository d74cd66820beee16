"""The project's URLs plus an import page over a test resource (plans register)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from import_export import fields

from apps.files.spreadsheets import ImportView, ScopedResource
from apps.plans.models import Plan
from resilience.urls import urlpatterns as project_urlpatterns


class PlanImportResource(ScopedResource):
    kind = fields.Field(attribute="kind", column_name=_("预案类别代码"))
    title = fields.Field(attribute="title", column_name=_("预案名称"))
    department = fields.Field(attribute="department", column_name=_("责任部门"))

    class Meta:
        model = Plan
        fields = ("org_unit", "kind", "title", "department")
        import_id_fields = ("org_unit", "title")


class PlanImportView(ImportView):
    resource_class = PlanImportResource
    title = "导入预案台账"
    success_url = "/plans/"


urlpatterns = [
    path("test-import/", PlanImportView.as_view(), name="test_import"),
    *project_urlpatterns,
]
