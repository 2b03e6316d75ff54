"""Parts compatibility: which inventory parts fit which contracts products.

A glue plugin (like Odoo's ``sale_stock``): it depends on ``inventory`` and ``contracts`` and is
enabled automatically once both are, so that neither of them needs to know the other.
Only the manifest lives here, so that listing plugins stays cheap (no Flask, no database).
"""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="parts_compatibility",
    version="0.1.0",
    label="Parts Compatibility",
    summary="Which spare parts fit which products, and the parts in stock for a unit",
    depends=["inventory", "contracts"],
    requires_core=">=0.1",
    auto_install=True,
)
