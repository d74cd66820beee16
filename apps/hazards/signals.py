"""What other apps may hear of a hazard, without the hazards app knowing them."""

from django.dispatch import Signal

# A hazard moved in its loop (reported, assigned, rectified, closed, reopened): ``hazard`` and
# ``step`` (the HazardEvent just recorded), inside the transaction that recorded it; a listener
# that acts outside the database waits for the commit (apps.api: webhooks).
hazard_state_changed = Signal()
