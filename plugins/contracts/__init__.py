"""Service contracts: customers, equipment, service-level terms, contracts and coverage."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="contracts",
    version="0.1.0",
    label="Contracts",
    summary="Customers, equipment, service-level terms, service contracts and their coverage",
    depends=[],
)
