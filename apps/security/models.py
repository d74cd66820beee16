"""Data of the security app: the password history behind the "not one of the last N passwords"
rule (GB/T 22239-2019 8.1.4.1). Only hashes are kept, exactly as ``User.password`` stores them,
and only the newest ``PASSWORD_HISTORY_COUNT`` per user; rows are written by
``apps.security.passwords`` whenever a password is set and saved. And the text-message log-in
code (``SmsDevice``), a second factor beside the authenticator app."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin, TimestampMixin

from apps.notifications.sms import send_sms


class PasswordHistory(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="password_history",
    )
    # A hash in Django's "algorithm$iterations$salt$hash" form, never the password itself.
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user")]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class SmsDevice(TimestampMixin, CooldownMixin, ThrottlingMixin, SideChannelDevice):
    """The one-time log-in code by text message (``SMS_LOGIN_CODE``), a django-otp device like
    the authenticator, so a session that entered it is verified in the same way
    (``apps.security.two_factor``). Six digits to ``user.mobile``, valid
    ``SMS_CODE_VALID_SECONDS``; a new code at most every ``SMS_CODE_RESEND_SECONDS``; after n
    wrong codes nothing is accepted for 2^(n-1) seconds."""

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")

    def get_cooldown_duration(self):
        return settings.SMS_CODE_RESEND_SECONDS

    def get_throttle_factor(self):
        return 1

    def send_code(self):
        """A new code to the user's mobile; False (nothing sent) within the resend delay."""
        allowed, _data = self.generate_is_allowed()
        if not allowed:
            return False
        self.cooldown_set(commit=False)
        self.generate_token(valid_secs=settings.SMS_CODE_VALID_SECONDS)
        text = gettext("【社区韧性工作平台】登录验证码 %(code)s，%(minutes)d 分钟内有效。")
        send_sms(
            self.user.mobile,
            text % {"code": self.token, "minutes": settings.SMS_CODE_VALID_SECONDS // 60},
        )
        return True

    def verify_token(self, token):
        """As django-otp's e-mail device: a wrong code counts towards the throttle."""
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        verified = super().verify_token(token)
        if verified:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return verified
