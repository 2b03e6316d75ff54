"""Locations carry their "WAREHOUSE/CODE" label, filled in for existing locations.

Component: inventory
Revision ID: 043a38674bf8
Revises: '86ea36f9d591'
Create Date: 2026-11-27 07:26:17.729312
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic (within this component's own history).
revision: str = "043a38674bf8"
down_revision: str | Sequence[str] | None = "86ea36f9d591"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("inventory_location", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("label", sa.String(length=61), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE inventory_location SET label = (SELECT inventory_warehouse.code || '/' || "
        "inventory_location.code FROM inventory_warehouse "
        "WHERE inventory_warehouse.id = inventory_location.warehouse_id)"
    )
    with op.batch_alter_table("inventory_location", schema=None) as batch_op:
        batch_op.alter_column("label", server_default=None)
        batch_op.create_index(batch_op.f("ix_inventory_location_label"), ["label"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("inventory_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_location_label"))
        batch_op.drop_column("label")
