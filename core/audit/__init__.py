"""Audit log: who created, changed or deleted which record, when, and what changed.

Every flush of every session is captured (:mod:`core.audit.capture`) in the same transaction,
so a rolled-back change leaves no trace. Models opt out with ``__audit__ = False`` and hide
fields with ``__audit_exclude__ = {"field"}``. Jobs and CLI commands name themselves with
:func:`core.audit.service.audit_actor`; a record's page links to its history with
:func:`core.audit.service.audit_url`. Changes made by SQL ``UPDATE`` statements bypass the
capture; their code logs them with :func:`core.audit.capture.record_update`.
"""
