"""Shared test set-up: the throwaway plugins in ``tests/sample_plugins`` become importable."""

import sys
from pathlib import Path

SAMPLE_PLUGINS = Path(__file__).parent / "sample_plugins"
sys.path.insert(0, str(SAMPLE_PLUGINS))
