"""Notifications: an outbox written in the caller's transaction, delivered after commit by e-mail
(SMTP) and to an in-app inbox, in the recipient's language and by their preferences.

Senders call `samdrift.core.notifications.services.notify(...)`; see docs/domains/notifications.md.
"""
