"""Suppliers and their prices, purchase orders and lines, reorder rules, stocktakes and
their lines; parts get a preferred supplier (empty for existing parts).

Component: inventory
Revision ID: 6b6f8925aa91
Revises: '043a38674bf8'
Create Date: 2026-11-27 07:39:49.320850
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic (within this component's own history).
revision: str = "6b6f8925aa91"
down_revision: str | Sequence[str] | None = "043a38674bf8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "inventory_supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=40), nullable=True),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("lead_time_days >= 0", name="ck_inventory_supplier_lead_time"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "inventory_purchase_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ordered_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_on", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'ordered', 'partial', 'received', 'closed', 'cancelled')",
            name="ck_inventory_po_state",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["inventory_supplier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("inventory_purchase_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_purchase_order_state"), ["state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inventory_purchase_order_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "inventory_supplier_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("supplier_sku", sa.String(length=60), nullable=True),
        sa.CheckConstraint("unit_price >= 0", name="ck_inventory_supplier_price_unit_price"),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["inventory_part.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["inventory_supplier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supplier_id", "part_id", name="uq_inventory_supplier_price"),
    )
    with op.batch_alter_table("inventory_supplier_price", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_supplier_price_part_id"), ["part_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inventory_supplier_price_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "inventory_purchase_order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("cancelled", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("cancelled >= 0", name="ck_inventory_po_line_cancelled"),
        sa.CheckConstraint("quantity > 0", name="ck_inventory_po_line_quantity"),
        sa.CheckConstraint("received >= 0", name="ck_inventory_po_line_received"),
        sa.CheckConstraint("unit_price >= 0", name="ck_inventory_po_line_unit_price"),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["inventory_location.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["inventory_purchase_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["inventory_part.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inventory_purchase_order_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_purchase_order_line_location_id"),
            ["location_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_inventory_purchase_order_line_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inventory_purchase_order_line_part_id"), ["part_id"], unique=False
        )

    op.create_table(
        "inventory_reorder_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("min_quantity", sa.BigInteger(), nullable=False),
        sa.Column("max_quantity", sa.BigInteger(), nullable=False),
        sa.Column("safety_stock", sa.BigInteger(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("usage_days", sa.Integer(), nullable=False),
        sa.Column("reorder_point", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "method IN ('fixed', 'demand')", name="ck_inventory_reorder_rule_method"
        ),
        sa.CheckConstraint("max_quantity >= 0", name="ck_inventory_reorder_rule_max"),
        sa.CheckConstraint("min_quantity >= 0", name="ck_inventory_reorder_rule_min"),
        sa.CheckConstraint("reorder_point >= 0", name="ck_inventory_reorder_rule_point"),
        sa.CheckConstraint("safety_stock >= 0", name="ck_inventory_reorder_rule_safety"),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["inventory_location.id"],
        ),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["inventory_part.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("part_id", "location_id", name="uq_inventory_reorder_rule"),
    )
    with op.batch_alter_table("inventory_reorder_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_reorder_rule_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inventory_reorder_rule_part_id"), ["part_id"], unique=False
        )

    op.create_table(
        "inventory_stocktake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'counting', 'submitted', 'posted', 'cancelled')",
            name="ck_inventory_stocktake_state",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["inventory_location.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("inventory_stocktake", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_stocktake_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inventory_stocktake_state"), ["state"], unique=False)

    op.create_table(
        "inventory_stocktake_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stocktake_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("book_at_start", sa.BigInteger(), nullable=True),
        sa.Column("book_at_count", sa.BigInteger(), nullable=True),
        sa.Column("counted", sa.BigInteger(), nullable=True),
        sa.Column("counted_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counted_by", sa.String(length=100), nullable=True),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.Column("move_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("counted >= 0", name="ck_inventory_stocktake_line_counted"),
        sa.ForeignKeyConstraint(
            ["move_id"],
            ["inventory_move.id"],
        ),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["inventory_part.id"],
        ),
        sa.ForeignKeyConstraint(
            ["stocktake_id"],
            ["inventory_stocktake.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stocktake_id", "part_id", name="uq_inventory_stocktake_line_part"),
    )
    with op.batch_alter_table("inventory_stocktake_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_stocktake_line_part_id"), ["part_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inventory_stocktake_line_stocktake_id"), ["stocktake_id"], unique=False
        )

    with op.batch_alter_table("inventory_part", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preferred_supplier_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_inventory_part_preferred_supplier_id"),
            ["preferred_supplier_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            "fk_inventory_part_preferred_supplier_id",
            "inventory_supplier",
            ["preferred_supplier_id"],
            ["id"],
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("inventory_part", schema=None) as batch_op:
        batch_op.drop_constraint("fk_inventory_part_preferred_supplier_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_inventory_part_preferred_supplier_id"))
        batch_op.drop_column("preferred_supplier_id")

    with op.batch_alter_table("inventory_stocktake_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_stocktake_line_stocktake_id"))
        batch_op.drop_index(batch_op.f("ix_inventory_stocktake_line_part_id"))

    op.drop_table("inventory_stocktake_line")
    with op.batch_alter_table("inventory_stocktake", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_stocktake_state"))
        batch_op.drop_index(batch_op.f("ix_inventory_stocktake_location_id"))

    op.drop_table("inventory_stocktake")
    with op.batch_alter_table("inventory_reorder_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_reorder_rule_part_id"))
        batch_op.drop_index(batch_op.f("ix_inventory_reorder_rule_location_id"))

    op.drop_table("inventory_reorder_rule")
    with op.batch_alter_table("inventory_purchase_order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_purchase_order_line_part_id"))
        batch_op.drop_index(batch_op.f("ix_inventory_purchase_order_line_order_id"))
        batch_op.drop_index(batch_op.f("ix_inventory_purchase_order_line_location_id"))

    op.drop_table("inventory_purchase_order_line")
    with op.batch_alter_table("inventory_supplier_price", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_supplier_price_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_inventory_supplier_price_part_id"))

    op.drop_table("inventory_supplier_price")
    with op.batch_alter_table("inventory_purchase_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_purchase_order_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_inventory_purchase_order_state"))

    op.drop_table("inventory_purchase_order")
    op.drop_table("inventory_supplier")
