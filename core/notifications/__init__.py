"""Notifications: in-app messages to users and roles, with e-mail through an outbox.

``notify(session, users_or_roles, title, body, link=None, email=True)`` writes the messages
and their e-mails in the caller's transaction; the ``core.send_mail`` job sends the outbox.
"""
