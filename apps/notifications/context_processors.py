from .models import Notification


def unread_notifications(request):
    """The bell's count in the header (one indexed COUNT per page)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"unread_notifications": Notification.objects.for_user(user).unread().count()}
