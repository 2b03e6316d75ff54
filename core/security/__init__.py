"""Security: roles and permissions declared by plugins, rate limits, users."""
