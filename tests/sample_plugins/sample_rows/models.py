"""Folders (each user sees their own), pages (follow their folder) and tags (no rule)."""

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db

page_tags = Table(
    "sample_rows_page_tag",
    db.Model.metadata,
    Column("page_id", ForeignKey("sample_rows_page.id"), primary_key=True),
    Column("tag_id", ForeignKey("sample_rows_tag.id"), primary_key=True),
)


class Folder(db.Model):
    """A folder that only its owner (and auditors) see."""

    __tablename__ = "sample_rows_folder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    owner: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return self.name


class Tag(db.Model):
    """A tag everybody who may read tags sees."""

    __tablename__ = "sample_rows_tag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)

    def __str__(self) -> str:
        return self.name


class Page(db.Model):
    """A page, visible when its folder is."""

    __tablename__ = "sample_rows_page"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    folder_id: Mapped[int] = mapped_column(ForeignKey("sample_rows_folder.id"), nullable=False)
    folder: Mapped[Folder] = relationship(Folder)
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=page_tags)

    def __str__(self) -> str:
        return self.title
