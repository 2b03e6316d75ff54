"""Company settings: who the service company is, its time zone, currency and language.

Other code reads them with :func:`core.company.service.company_settings`, or the shortcuts
:func:`core.company.service.company_zone` and :func:`core.company.service.company_currency`.
"""
