"""A throwaway plugin for core.states' tests: permits that are submitted, approved or
rejected through state actions."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="sample_states",
    version="1.0.0",
    label="Sample States",
    summary="Permits moved through their states by actions",
)
