"""Modules: which plugins are enabled, chosen by the admin and signalled to every worker."""
