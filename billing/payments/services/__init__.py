"""Course payments' services: the only code that writes payment rows. Pages and the API call
these; each is one transaction (write + outbox/audit where it applies)."""
