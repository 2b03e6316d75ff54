"""Rules of parts_compatibility, one module per topic, the public names re-exported here
(``services.link_part(...)`` and ``from plugins.parts_compatibility.services import X``).

``compatibility``: linking parts to the products they fit, and reading which parts fit a
unit with what is in stock for them.
"""

from plugins.parts_compatibility.services.compatibility import (
    FORM_FIELDS,
    ID_FIELDS,
    NOTE_LENGTH,
    CompatibilityError,
    FittingPart,
    LocationStock,
    compatible_parts,
    compatible_products,
    find_part,
    find_product,
    link_part,
    parts_for_equipment,
    prepare_link,
    unlink_part,
)

__all__ = [
    "FORM_FIELDS",
    "ID_FIELDS",
    "NOTE_LENGTH",
    "CompatibilityError",
    "FittingPart",
    "LocationStock",
    "compatible_parts",
    "compatible_products",
    "find_part",
    "find_product",
    "link_part",
    "parts_for_equipment",
    "prepare_link",
    "unlink_part",
]
