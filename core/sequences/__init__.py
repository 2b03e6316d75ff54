"""Document numbers (``CT-2026-00001``): gap-free counters per code and year."""
