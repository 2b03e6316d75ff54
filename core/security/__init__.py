"""Security: roles and permissions declared by plugins, security headers, the login rate
limit and account lockout, users."""
