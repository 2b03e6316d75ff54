"""create warranty_cards_card

Component: warranty_cards
Revision ID: 7c1e0a9b2d34
Revises: None
Create Date: 2026-11-27 04:42:13.905769
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic (within this component's own history).
revision: str = "7c1e0a9b2d34"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "warranty_cards_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_number", sa.String(length=40), nullable=False),
        sa.Column("serial_number", sa.String(length=80), nullable=False),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=False),
        sa.Column("warranty_months", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.CheckConstraint("status IN ('active', 'expired')", name="ck_warranty_cards_card_status"),
        sa.CheckConstraint(
            "warranty_months BETWEEN 1 AND 120", name="ck_warranty_cards_card_months"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("card_number"),
    )
    with op.batch_alter_table("warranty_cards_card", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warranty_cards_card_expires_on"), ["expires_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_warranty_cards_card_serial_number"), ["serial_number"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("warranty_cards_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warranty_cards_card_serial_number"))
        batch_op.drop_index(batch_op.f("ix_warranty_cards_card_expires_on"))

    op.drop_table("warranty_cards_card")
