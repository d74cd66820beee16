from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class OrgUnitModelBackend(ModelBackend):
    """ModelBackend that loads the user's org unit with the user: scoping reads
    ``request.user.org_unit.path`` on every page, so this saves a query per request."""

    def get_user(self, user_id):
        model = get_user_model()
        user = model._default_manager.select_related("org_unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
