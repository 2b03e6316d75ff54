"""Screens of loaner_units."""
