"""void cards: the 'void' status, the reason of the last status move, an index on status

Component: warranty_cards
Revision ID: 9d2f4b6a8c10
Revises: 7c1e0a9b2d34
Create Date: 2026-12-04 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.column_limits import LongText

revision: str = "9d2f4b6a8c10"
down_revision: str | Sequence[str] | None = "7c1e0a9b2d34"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_warranty_cards_card_status"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("warranty_cards_card", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", LongText(1000), nullable=True))
        batch_op.drop_constraint(CHECK, type_="check")
        batch_op.create_check_constraint(CHECK, "status IN ('active', 'expired', 'void')")
        batch_op.create_index(batch_op.f("ix_warranty_cards_card_status"), ["status"])


def downgrade() -> None:
    """Revert this revision (refused by the CHECK while void cards exist)."""
    with op.batch_alter_table("warranty_cards_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warranty_cards_card_status"))
        batch_op.drop_constraint(CHECK, type_="check")
        batch_op.create_check_constraint(CHECK, "status IN ('active', 'expired')")
        batch_op.drop_column("status_reason")
