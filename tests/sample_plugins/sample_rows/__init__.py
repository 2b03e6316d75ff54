"""A throwaway plugin for core's row-rule tests: folders owned by users, pages in them."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="sample_rows",
    version="1.0.0",
    label="Sample Rows",
    summary="Folders that only their owner sees, and the pages in them",
)
