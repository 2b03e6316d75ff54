"""Warranty returns to vendors: the ``inventory_vendor_return`` table; moves get a supplier,
an RMA reference and their vendor return (all empty for existing moves), a longer ``reason``
and the reasons ``vendor_return`` and ``vendor_receipt`` in its CHECK constraint.

Component: inventory
Revision ID: 3d9443bc6a28
Revises: '6b6f8925aa91'
Create Date: 2026-11-27 08:33:04.695015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic (within this component's own history).
revision: str = "3d9443bc6a28"
down_revision: str | Sequence[str] | None = "6b6f8925aa91"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_REASONS = "'receipt', 'issue', 'return', 'transfer', 'adjustment', 'scrap', 'reversal'"
NEW_REASONS = OLD_REASONS + ", 'vendor_return', 'vendor_receipt'"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "inventory_vendor_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("from_location_id", sa.Integer(), nullable=False),
        sa.Column("rma", sa.String(length=60), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("written_off", sa.BigInteger(), nullable=False),
        sa.Column("write_off_note", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_on", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name="ck_inventory_vendor_return_quantity"),
        sa.CheckConstraint(
            "received + written_off <= quantity", name="ck_inventory_vendor_return_settled"
        ),
        sa.CheckConstraint("received >= 0", name="ck_inventory_vendor_return_received"),
        sa.CheckConstraint("written_off >= 0", name="ck_inventory_vendor_return_written_off"),
        sa.ForeignKeyConstraint(["from_location_id"], ["inventory_location.id"]),
        sa.ForeignKeyConstraint(["part_id"], ["inventory_part.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["inventory_supplier.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inventory_vendor_return", schema=None) as batch_op:
        for column in ("created_on", "from_location_id", "part_id", "rma", "supplier_id"):
            batch_op.create_index(
                batch_op.f(f"ix_inventory_vendor_return_{column}"), [column], unique=False
            )

    with op.batch_alter_table("inventory_move", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supplier_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rma", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("vendor_return_id", sa.Integer(), nullable=True))
        batch_op.alter_column(
            "reason",
            existing_type=sa.VARCHAR(length=12),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
        batch_op.drop_constraint("ck_inventory_move_reason", type_="check")
        batch_op.create_check_constraint("ck_inventory_move_reason", f"reason IN ({NEW_REASONS})")
        for column in ("rma", "supplier_id", "vendor_return_id"):
            batch_op.create_index(batch_op.f(f"ix_inventory_move_{column}"), [column], unique=False)
        batch_op.create_foreign_key(
            "fk_inventory_move_vendor_return_id",
            "inventory_vendor_return",
            ["vendor_return_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            "fk_inventory_move_supplier_id", "inventory_supplier", ["supplier_id"], ["id"]
        )


def downgrade() -> None:
    """Revert this revision (refused by the CHECK while vendor moves exist)."""
    with op.batch_alter_table("inventory_move", schema=None) as batch_op:
        batch_op.drop_constraint("fk_inventory_move_supplier_id", type_="foreignkey")
        batch_op.drop_constraint("fk_inventory_move_vendor_return_id", type_="foreignkey")
        for column in ("vendor_return_id", "supplier_id", "rma"):
            batch_op.drop_index(batch_op.f(f"ix_inventory_move_{column}"))
        batch_op.drop_constraint("ck_inventory_move_reason", type_="check")
        batch_op.create_check_constraint("ck_inventory_move_reason", f"reason IN ({OLD_REASONS})")
        batch_op.alter_column(
            "reason",
            existing_type=sa.String(length=20),
            type_=sa.VARCHAR(length=12),
            existing_nullable=False,
        )
        batch_op.drop_column("vendor_return_id")
        batch_op.drop_column("rma")
        batch_op.drop_column("supplier_id")

    with op.batch_alter_table("inventory_vendor_return", schema=None) as batch_op:
        for column in ("supplier_id", "rma", "part_id", "from_location_id", "created_on"):
            batch_op.drop_index(batch_op.f(f"ix_inventory_vendor_return_{column}"))

    op.drop_table("inventory_vendor_return")
