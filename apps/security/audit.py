"""The audit trail: which models django-auditlog tracks, decided here and only here.

django-auditlog rather than django-simple-history: auditlog keeps one ``LogEntry`` table for
every model (who, when, the changed fields before and after, the client address), so tracking a
model needs no migration in its own app and no shadow ``Historical<Model>`` table per model. The
apps are built and migrated by different people at the same time; one table owned by one app
keeps the audit trail from ever colliding with their migrations, and a new model in a tracked
app is tracked automatically. The price: auditlog records changes made through ``save()`` and
``delete()`` (signals); ``QuerySet.update()``, ``bulk_create()`` and raw SQL leave no entry
(see SECURITY.md for where the code does that).
"""

from auditlog import models as auditlog_models
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _

# Every model of these apps is tracked ...
TRACKED_APPS = (
    "plans",
    "hazards",
    "supplies",
    "shelters",
    "drills",
    "people",
    "applications",
)
# ... plus these, ...
TRACKED_MODELS = (
    "orgs.OrgUnit",
    "orgs.User",
    "orgs.Grid",
    # the open API's clients, tokens (revocation) and webhook subscriptions, kept in admin
    "api.ApiClient",
    "api.ApiToken",
    "api.WebhookSubscription",
)
# ... except logs of their own (an access log audited by the audit log would only add noise).
UNTRACKED_MODELS = {"people.AccessLog", "applications.ApplicationEvent"}

# Timestamps are in the log entry itself; secrets are never copied into the log.
EXCLUDED_FIELDS = {
    "created_at",
    "updated_at",
    "password",
    "last_login",
    "secret_hash",  # an API token's digest
    "secret",  # a webhook's signing secret
    "last_used_at",  # an API token's, written as it is used
}
# Personal identifiers: the log shows them masked (the first half replaced by asterisks).
MASKED_FIELDS = {"id_number", "phone", "emergency_phone"}


def tracked_models():
    models = []
    for label in TRACKED_APPS:
        if apps.is_installed(f"apps.{label}"):
            models.extend(apps.get_app_config(label).get_models())
    models.extend(apps.get_model(name) for name in TRACKED_MODELS)
    return [m for m in models if m._meta.label not in UNTRACKED_MODELS]


def _tolerant_repr(obj, *args, **kwargs):
    """``str(obj)`` for the log entry, or "<verbose name> #<pk>" when the model's ``__str__``
    fails (e.g. formats a date that is still a string before ``refresh_from_db``)."""
    try:
        return smart_str(obj, *args, **kwargs)
    except Exception:  # never let the audit trail make a legitimate save fail
        meta = getattr(obj, "_meta", None)
        return f"{meta.verbose_name if meta else type(obj).__name__} #{getattr(obj, 'pk', '')}"


def register_domain_models():
    # django-auditlog writes str(instance) into each entry and lets any error but
    # ObjectDoesNotExist escape from save(): make the representation tolerant.
    auditlog_models.smart_str = _tolerant_repr
    for model in tracked_models():
        if auditlog.contains(model):
            continue
        names = {f.name for f in model._meta.get_fields()}
        auditlog.register(
            model,
            exclude_fields=sorted(EXCLUDED_FIELDS & names),
            mask_fields=sorted(MASKED_FIELDS & names),
            m2m_fields={f.name for f in model._meta.many_to_many},
        )


HISTORY_LIMIT = 50


def history_for(obj, limit=HISTORY_LIMIT):
    """The newest audit entries of one record, with their actors, each with ``rows``: the
    changed fields as (label, before, after). The caller has already fetched ``obj`` through
    ``visible_to(user)``: that is the access check."""
    entries = list(
        LogEntry.objects.get_for_object(obj).select_related("actor", "content_type")[:limit]
    )
    for entry in entries:
        entry.rows = describe_changes(entry)
        entry.action_label = ACTIONS.get(entry.action, entry.get_action_display())
    return entries


# django-auditlog's own action names are not translated into Chinese.
ACTIONS = {
    LogEntry.Action.CREATE: _("新建"),
    LogEntry.Action.UPDATE: _("修改"),
    LogEntry.Action.DELETE: _("删除"),
    LogEntry.Action.ACCESS: _("查看"),
}
M2M_OPERATIONS = {"add": _("添加"), "delete": _("移除"), "clear": _("清空")}


def _shown(value):
    return "—" if value in (None, "", "None") else value


def describe_changes(entry):
    """(label, before, after) for each changed field, in words a user reads: choices and
    foreign keys by their names, many-to-many changes as what was added or removed."""
    model = entry.content_type.model_class()
    raw = entry.changes_dict or {}
    display = entry.changes_display_dict if model is not None else {}
    rows = []
    for name, values in raw.items():
        try:
            field = model._meta.get_field(name)
            label = str(getattr(field, "verbose_name", name))
        except Exception:  # a field that no longer exists
            field, label = None, name
        if isinstance(values, dict) and values.get("type") == "m2m":
            operation = M2M_OPERATIONS.get(values.get("operation"), values.get("operation"))
            objects = "、".join(str(o) for o in values.get("objects", []))
            rows.append((label, "", f"{operation}：{objects}" if objects else operation))
            continue
        shown = display.get(label, display.get(name)) or values
        if not isinstance(shown, list | tuple) or len(shown) != 2:
            shown = values if isinstance(values, list | tuple) and len(values) == 2 else ("", "")
        rows.append((label, _shown(shown[0]), _shown(shown[1])))
    return rows
