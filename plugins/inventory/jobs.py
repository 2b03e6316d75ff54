"""Background jobs of inventory."""

from __future__ import annotations

from typing import Any

from core.jobs.context import JobContext


def reorder(context: JobContext) -> dict[str, Any]:
    """Refresh the reorder points of demand rules, then draft purchase orders per preferred
    supplier for what the rules suggest. Idempotent: drafts count as on order, so a second
    run drafts nothing more."""
    from plugins.inventory.services import reorder as planning

    session = context.session
    changed = planning.refresh_reorder_points(session)
    result = planning.draft_purchase_orders(session)
    orders = sorted({order.number for order in result.orders})
    skipped = sorted({s.sku for s in result.without_supplier})
    message = f"reorder points changed: {changed}; lines drafted: {result.lines}"
    if orders:
        message += f" on {', '.join(orders)}"
    if skipped:
        message += f"; no preferred supplier: {', '.join(skipped)}"
    context.progress(result.lines, result.lines, message)
    return {
        "reorder_points": changed,
        "lines": result.lines,
        "orders": orders,
        "without_supplier": skipped,
    }
