"""What other apps may hear of an incident, without the incidents app knowing them."""

from django.dispatch import Signal

# An incident was registered with its 初报 (``incident``), inside the filing transaction; a
# listener that acts outside the database waits for the commit (apps.api: webhooks).
incident_reported = Signal()
