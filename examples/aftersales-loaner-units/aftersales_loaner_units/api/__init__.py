"""REST API of loaner_units."""
