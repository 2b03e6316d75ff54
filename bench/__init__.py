"""Benchmarks and data generators (``python -m bench --help``); not part of the test run."""
