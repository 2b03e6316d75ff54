"""A throwaway plugin with its own translation catalogs, to test that they are merged."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="sample_i18n",
    version="1.0.0",
    label="Sample I18n",
    summary="A page whose strings come from the plugin's own catalog",
)
