"""The one table of parts_compatibility: a spare part that fits a product.

This is a catalogue fact ("the FUS-220 fuser fits the HP LaserJet M507"), not a planning
input: how many of a part a product uses when it fails belongs to maintenance.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from plugins.contracts.models import Product
from plugins.inventory.models import Part


class PartProduct(db.Model):
    """A part that fits a product; each pair is recorded once."""

    __tablename__ = "parts_compatibility_part_product"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("part_id", "product_id", name="uq_parts_compatibility_part_product"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_product.id"), nullable=False, index=True
    )
    note: Mapped[str | None] = mapped_column(String(200), default="")

    part: Mapped[Part] = relationship(Part)
    product: Mapped[Product] = relationship(Product)

    def __str__(self) -> str:
        return f"{self.part_id} -> {self.product_id}"
