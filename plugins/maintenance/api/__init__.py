"""REST endpoints of maintenance, one module per topic."""
