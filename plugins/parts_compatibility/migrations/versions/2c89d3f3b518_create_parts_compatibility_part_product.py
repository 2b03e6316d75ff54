"""Parts fit products: the table parts_compatibility_part_product (one row per part and
product pair, with a note).

Component: parts_compatibility
Revision ID: 2c89d3f3b518
Revises: None
Create Date: 2026-11-27 08:32:03.737075
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic (within this component's own history).
revision: str = "2c89d3f3b518"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "parts_compatibility_part_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["inventory_part.id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["contracts_product.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("part_id", "product_id", name="uq_parts_compatibility_part_product"),
    )
    with op.batch_alter_table("parts_compatibility_part_product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_parts_compatibility_part_product_part_id"), ["part_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_parts_compatibility_part_product_product_id"),
            ["product_id"],
            unique=False,
        )



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("parts_compatibility_part_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parts_compatibility_part_product_product_id"))
        batch_op.drop_index(batch_op.f("ix_parts_compatibility_part_product_part_id"))

    op.drop_table("parts_compatibility_part_product")
