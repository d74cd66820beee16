"""What other apps may hear of a warning, without the warnings app knowing them."""

from django.dispatch import Signal

# A warning was published (``warning``), inside the publishing transaction: apps.duty puts
# the duty of the units it covers on 加强值班.
warning_published = Signal()

# A 叫应 was acknowledged (``call``), inside the acknowledging transaction: apps.api tells the
# subscribers of the warning's acknowledgement rate.
call_acknowledged = Signal()
