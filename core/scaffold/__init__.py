"""``aftersales plugins new NAME``: write a complete, pip-installable plugin skeleton.

The skeleton has the layout every plugin uses (see ``docs/plugin-guide.md``): a package with
only ``MANIFEST`` in ``__init__.py``, ``plugin.py`` with the hooks, one prefixed table, a
screen, a REST API, services, migrations with the initial revision, ``zh``/``zh_Hant_TW``
catalogs, a template, and tests that boot it with the ``core.testing`` fixtures.
"""
