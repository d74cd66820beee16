"""Text messages (短信) through a pluggable gateway, like Django's e-mail backends.

``send_sms(mobile, text)`` hands the message to the backend named by ``SMS_BACKEND`` (a dotted
path to a class with ``send(mobile, text)``). The default, ``LoggingBackend``, sends nothing: it
writes the message to the ``apps.notifications.sms`` log and keeps it in ``outbox`` (tests read
it there, as they read ``django.core.mail.outbox``).

A real gateway (a carrier's SMS platform or the government messaging service) plugs in as a
class of its own, e.g. ``deploy/sms_gateway.py``::

    class GatewayBackend:
        def send(self, mobile, text):
            response = requests.post(settings.SMS_GATEWAY_URL, json={...}, timeout=5)
            response.raise_for_status()

with ``SMS_BACKEND=deploy.sms_gateway.GatewayBackend`` in the environment. ``send`` raises on
failure; callers that fan out (预警叫应) record the failure and go on with the next person.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from apps.people.privacy import mask_phone

logger = logging.getLogger(__name__)

outbox: list[tuple[str, str]] = []


class LoggingBackend:
    def send(self, mobile, text):
        outbox.append((mobile, text))
        logger.info("SMS to %s: %s", mask_phone(mobile), text)


def send_sms(mobile, text):
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(mobile, text)
