"""A throwaway plugin for core.crud's tests: tickets whose reference ``prepare`` fills."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="sample_checked",
    version="1.0.0",
    label="Sample Checked",
    summary="Tickets whose required reference the service fills in",
)
