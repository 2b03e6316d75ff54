"""The side table of sample_extend: three fields on sample_alpha's notes."""

from sample_alpha.models import AlphaNote
from sqlalchemy import Date, Integer, String

from core.extension_fields import ExtensionField, extension_table

NoteExtras = extension_table(
    "sample_extend_note",
    AlphaNote,
    extend_colour=ExtensionField(String(20), "Colour"),
    extend_due=ExtensionField(Date(), "Due"),
    extend_pages=ExtensionField(Integer(), "Pages"),
)
