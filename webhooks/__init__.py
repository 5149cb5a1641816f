"""Outbound webhooks: each tenant's endpoints receive its outbox events, signed per the
Standard Webhooks spec, retried for days, logged attempt by attempt (a wing: it consumes the
outbox through tenant_apps.events.consumers and is never imported by the LMS)."""
