"""A throwaway plugin for core's tests: one model with a screen, an API, a role, a widget."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="sample_alpha",
    version="1.0.0",
    label="Sample Alpha",
    summary="Notes, to test the plugin framework",
)
