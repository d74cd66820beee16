"""The password policy (GB/T 22239-2019 身份鉴别: 口令复杂度, 定期更换, 初始口令修改) and the
forced change after an admin set the password.

The rules are Django password validators (``AUTH_PASSWORD_VALIDATORS``), so every place that
sets a password from a form checks them: the portal's change page, the admin's add-user and
change-password forms, ``manage.py changepassword``. ``set_password()`` in code does not: the
demo seeding sets ``DEMO_PASSWORD`` directly, which is the point (a demo password need not be
strong). Every message is Chinese (``locale/en`` translates it).

History: ``PasswordHistoryValidator.password_changed`` is called by Django after every save of a
new password (``AbstractBaseUser.save``), whatever set it, and keeps the newest hashes in
``PasswordHistory``; ``validate`` refuses the current password and those. Checking a candidate
costs one hash per remembered password (PBKDF2: ~0.3 s each), paid only when a password is set.

Forced change: ``User.must_change_password`` is set by the admin (``apps/orgs/admin.py``) and
cleared by ``change_password``; ``PasswordChangeRequiredMiddleware`` lets such a user reach only
the change page, log-out, the language switch and the second log-in step (two-factor).
"""

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import check_password
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.password_validation import (
    CommonPasswordValidator as DjangoCommonPasswordValidator,
)
from django.contrib.auth.password_validation import (
    MinimumLengthValidator as DjangoMinimumLengthValidator,
)
from django.contrib.auth.password_validation import (
    UserAttributeSimilarityValidator as DjangoUserAttributeSimilarityValidator,
)
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .models import PasswordHistory

# --- Validators ---------------------------------------------------------------------------


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    def __init__(self, min_length=12):
        super().__init__(min_length)

    def get_error_message(self):
        return _("密码太短：至少需要 %(min_length)d 个字符。")

    def get_help_text(self):
        return _("至少 %(min_length)d 个字符。") % {"min_length": self.min_length}


def character_classes(password):
    """How many of the four classes (upper case, lower case, digit, symbol) ``password`` uses.
    Anything that is not a letter or a digit, a space included, counts as a symbol."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassesValidator:
    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(min_classes)d 类。"),
                code="password_too_simple",
                params={"min_classes": self.min_classes},
            )

    def get_help_text(self):
        return _("包含大写字母、小写字母、数字、符号中的至少 %(min_classes)d 类。") % {
            "min_classes": self.min_classes
        }


class UsernameValidator:
    """The user name may not appear in the password, in any case. Names shorter than three
    characters are not checked: refusing every password containing "li" would refuse many
    good ones and protect nothing."""

    MIN_NAME_LENGTH = 3

    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        if len(username) >= self.MIN_NAME_LENGTH and username.lower() in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self):
        return _("不能包含用户名。")


class UserAttributeSimilarityValidator(DjangoUserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("密码与%(verbose_name)s过于相似。")

    def get_help_text(self):
        return _("不能与姓名、电子邮箱等个人信息相似。")


class CommonPasswordValidator(DjangoCommonPasswordValidator):
    def get_error_message(self):
        return _("密码过于常见，容易被猜中。")

    def get_help_text(self):
        return _("不能是常见密码。")


class PasswordHistoryValidator:
    """Not the current password nor one of the ``count`` before it (their hashes are kept)."""

    def __init__(self, count=5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None or self.count <= 0:
            return
        if any(check_password(password, encoded) for encoded in recent_hashes(user, self.count)):
            raise ValidationError(
                _("不能使用最近 %(count)d 次用过的密码。"),
                code="password_reused",
                params={"count": self.count},
            )

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None and self.count > 0:
            record_password(user, keep=self.count)

    def get_help_text(self):
        return _("不能与最近 %(count)d 次用过的密码相同。") % {"count": self.count}


# --- History ------------------------------------------------------------------------------


def recent_hashes(user, count: int) -> list[str]:
    """The stored hash of ``user``'s current password (from the database: the form may have
    changed the instance already) and the newest ``count`` of the history."""
    users = user._meta.model._default_manager  # user may be the request's lazy object
    current = users.filter(pk=user.pk).values_list("password", flat=True)
    history = PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)
    return list(dict.fromkeys([*current, *history[:count]]))


def record_password(user, *, keep: int) -> None:
    """Remember ``user``'s new password hash and forget all but the newest ``keep``."""
    if not user.has_usable_password():
        return
    with transaction.atomic():
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()


# --- Services -----------------------------------------------------------------------------


def change_password(user, *, password: str) -> None:
    """The user's own change (already validated by the form): the new password, and no more
    forced change. The history row is written by ``PasswordHistoryValidator.password_changed``
    when the user is saved."""
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])


# --- Forced change ------------------------------------------------------------------------

# What a user who must change the password may still reach (URL names, then namespaces).
ALLOWED_WHILE_FORCED = {
    "password_change",
    "password_change_done",
    "logout",
    "set_language",
    "admin:logout",
}
# The second log-in step (django-otp) comes before the password change.
ALLOWED_NAMESPACES_WHILE_FORCED = {"two_factor"}


def _client_redirect(request, url):
    """A redirect the browser follows: htmx requests get ``HX-Redirect`` (a plain 302 would be
    followed by the XMLHttpRequest and the page swapped into the polling element)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class PasswordChangeRequiredMiddleware:
    """Sends a user whose password an admin set (``must_change_password``) to the change page,
    whatever they ask for, until they change it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.must_change_password):
            return None
        match = request.resolver_match
        if match.view_name in ALLOWED_WHILE_FORCED:
            return None
        if ALLOWED_NAMESPACES_WHILE_FORCED.intersection(match.namespaces):
            return None
        static_url = settings.STATIC_URL  # "/static/" (Django adds the script prefix)
        if static_url.startswith("/") and request.path.startswith(static_url):
            return None  # WhiteNoise answers these first; this covers runserver's static view
        return _client_redirect(request, reverse("password_change"))


# --- Views --------------------------------------------------------------------------------


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        "password_mismatch": gettext_lazy("两次输入的新密码不一致。"),
        "password_incorrect": gettext_lazy("当前密码不正确，请重新输入。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("再次输入新密码")
        self.fields["new_password2"].help_text = ""


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password change (also the page a forced change leads to)."""

    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        change_password(self.request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, self.request.user)  # stay logged in
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(LoginRequiredMixin, TemplateView):
    template_name = "registration/password_change_done.html"
