"""The two pluggy markers every plugin imports: ``from core.hooks import hookimpl``."""

import pluggy

PROJECT_NAME = "aftersales"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
