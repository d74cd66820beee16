"""Pages of the people register. Views stay thin: scope through ``visible_to`` (404 outside),
changes through ``services`` (403 for read-only roles), personal data through ``privacy``."""
