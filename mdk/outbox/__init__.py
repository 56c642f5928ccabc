"""The outbox: mail queued in the caller's transaction and delivered by workers."""
