"""create loaner_units_loan

Component: loaner_units
Revision ID: 952aec1c79d4
Revises: None
Create Date: 2026-12-04 19:54:07.745927
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic (within this component's own history).
revision: str = "952aec1c79d4"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "loaner_units_loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial_number", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("lent_on", sa.Date(), nullable=False),
        sa.Column("due_back", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('out', 'returned', 'lost')", name="ck_loaner_units_loan_state"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["contracts_customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("loaner_units_loan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loaner_units_loan_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_loaner_units_loan_serial_number"), ["serial_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_loaner_units_loan_state"), ["state"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("loaner_units_loan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loaner_units_loan_state"))
        batch_op.drop_index(batch_op.f("ix_loaner_units_loan_serial_number"))
        batch_op.drop_index(batch_op.f("ix_loaner_units_loan_customer_id"))

    op.drop_table("loaner_units_loan")
