"""No database constraint speaks to a user by its internal name: every constraint of the
portal's models carries its own Chinese ``violation_error_message`` (Django's default reads
"约束 “drill_completed_has_summary” 是无效的")."""

from django.apps import apps
from django.db.models import BaseConstraint


def test_every_constraint_has_its_own_message():
    missing = [
        f"{model._meta.label}.{constraint.name}"
        for model in apps.get_models()
        if model.__module__.startswith("apps.")
        for constraint in model._meta.constraints
        if constraint.violation_error_message == BaseConstraint.default_violation_error_message
    ]
    assert missing == []
