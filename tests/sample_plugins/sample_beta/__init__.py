"""A throwaway plugin that depends on sample_alpha."""

MANIFEST = {
    "name": "sample_beta",
    "version": "0.3.0",
    "label": "Sample Beta",
    "summary": "Depends on alpha",
    "depends": ["sample_alpha>=1.0"],
}
