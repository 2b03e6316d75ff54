"""Maintenance: technicians, fault reports, corrective and preventive work orders, SLA clocks.

Only the manifest lives here, so that listing plugins stays cheap (no Flask, no database).
"""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="maintenance",
    version="0.1.0",
    label="Maintenance",
    summary="Technicians, fault reports, work orders with SLA clocks, preventive plans",
    depends=["contracts"],
    optional=["inventory"],
    requires_core=">=0.1",
)
