"""A throwaway plugin for core.extension_fields' tests: fields added to sample_alpha's notes."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="sample_extend",
    version="1.0.0",
    label="Sample Extend",
    summary="A colour, a due date and a page count on every alpha note",
    depends=["sample_alpha"],
)
