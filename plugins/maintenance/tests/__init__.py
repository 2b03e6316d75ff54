"""Tests of the maintenance plugin; ``world`` builds their shared fixtures."""
