"""Background jobs: the run history, the runner, the in-process scheduler and Celery.

Plugins declare jobs with :class:`core.contributions.JobSpec` from ``aftersales_jobs()``.
:func:`core.jobs.service.run_job` runs one now and records it; :mod:`core.jobs.scheduler`
runs them on their crontabs inside ``aftersales serve``; :mod:`core.jobs.celery_app` runs them
on Celery workers (with ``celery beat``) when ``CELERY_BROKER_URL`` is set.
"""
