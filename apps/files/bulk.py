"""Writing an import in bulk, the same way for every resource (``ScopedResource``).

The check (dry run) reads and validates every row and writes nothing: no insert rolled back,
no savepoint per row. The import validates the same way, collects the new and the changed
records, and writes them once every row has passed, in the import's transaction: one
``bulk_create`` and one ``bulk_update`` per batch, then the many-to-many values, the
resource's ``after_bulk_save`` (e.g. the 发现上报 event of each new hazard), the audit trail
(one ``LogEntry`` per record, the uploader as actor, as ``save()`` would have written it) and
``records_changed`` for the figures that bypassed the model signals.

Existing records are found from one query per 900 keys (``KeyedInstanceLoader``) instead of
one query per row.
"""

import datetime
import decimal

from auditlog.diff import get_mask_function
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.encoding import smart_str
from import_export.instance_loaders import ModelInstanceLoader

from apps.orgs.models import records_changed

BATCH_SIZE = 1000
LOOKUP_CHUNK = 900  # SQLite's oldest limit of parameters in one query
# Never overwritten by an update: who created the record and when.
KEPT_ON_UPDATE = {"created_at", "created_by"}


def key_value(value):
    """A key cell as compared with a stored record: a related record by its primary key."""
    if isinstance(value, models.Model):
        return value.pk
    return value


class KeyedInstanceLoader(ModelInstanceLoader):
    """The existing record of each row by the resource's ``import_id_fields``, from a few
    queries for the whole file: the records whose most varied key column takes one of the
    file's values, among those the user can see (``get_queryset``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_key = None

    def get_instance(self, row):
        if self.by_key is None:
            self.by_key = self._load()
        return self.by_key.get(self.resource.row_key(row))

    def _load(self):
        resource = self.resource
        fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        model = resource._meta.model
        values = [set() for _f in fields]
        for data_row in self.dataset.dict if self.dataset is not None else ():
            for position, field in enumerate(fields):
                try:
                    values[position].add(key_value(field.clean(data_row)))
                except Exception:  # noqa: S112 (an unreadable key is reported on its row)
                    continue
        position = max(range(len(fields)), key=lambda i: len(values[i]))
        attribute = fields[position].attribute
        lookup = model._meta.get_field(attribute).attname
        wanted = sorted((v for v in values[position] if v is not None), key=str)
        found = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            for instance in self.get_queryset().filter(**{f"{lookup}__in": chunk}):
                found[resource.instance_key(instance)] = instance
        return found


def flush(resource, created, updated, m2m_rows):
    """Write what the import collected (see the module docstring)."""
    model = resource._meta.model
    now = timezone.now()
    for instance in updated:
        if hasattr(instance, "updated_at"):
            instance.updated_at = now
    model.objects.bulk_create(created, batch_size=BATCH_SIZE)
    if updated:
        names = [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in KEPT_ON_UPDATE
        ]
        model.objects.bulk_update([i for i, _o in updated], names, batch_size=BATCH_SIZE)
    for instance, row in m2m_rows:
        for field in resource.get_import_fields():
            if field.column_name in row and resource.is_m2m(field):
                resource.import_field(field, instance, row, is_m2m=True)
    resource.after_bulk_save(created, [i for i, _o in updated])
    audit(resource.user, model, created, updated)
    paths = {
        unit.path
        for instance in (*created, *(i for i, _o in updated))
        if (unit := getattr(instance, "org_unit", None)) is not None
    }
    if created or updated:
        records_changed.send(sender=model, paths=sorted(paths))


def audit(user, model, created, updated):
    """The ``LogEntry`` rows ``save()`` would have written (see ``apps.security.audit``): the
    tracked fields that changed, masked fields masked. Computed here from the field values
    (auditlog's own diff costs more than the import's rows themselves)."""
    if not auditlog.contains(model):
        return
    options = auditlog.get_model_fields(model)
    fields = [
        f
        for f in model._meta.fields
        if f.name not in options["exclude_fields"]
        and (not options["include_fields"] or f.name in options["include_fields"])
    ]
    masked = set(options["mask_fields"])
    mask = get_mask_function(options.get("mask_callable"))
    content_type = ContentType.objects.get_for_model(model)
    entries = []
    for action, pairs in (
        (LogEntry.Action.CREATE, [(None, i) for i in created]),
        (LogEntry.Action.UPDATE, [(o, i) for i, o in updated]),
    ):
        for old, new in pairs:
            changes = {}
            for field in fields:
                before = None if old is None else getattr(old, field.attname)
                after = getattr(new, field.attname)
                if before == after:
                    continue
                before, after = _logged(before), _logged(after)
                if field.name in masked:
                    before, after = mask(str(before)), mask(str(after))
                changes[field.name] = [before, after]
            if not changes:
                continue
            entries.append(
                LogEntry(
                    content_type=content_type,
                    object_pk=str(new.pk),
                    object_id=new.pk,
                    object_repr=smart_str(new),
                    action=action,
                    changes=changes,
                    actor=user,
                )
            )
    LogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def _logged(value):
    """A value as auditlog stores it in JSON changes: primitives as they are, the rest as text
    ("None" for nothing, as auditlog writes it)."""
    if value is None:
        return "None"
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | decimal.Decimal):
        return str(value)
    return smart_str(value)
