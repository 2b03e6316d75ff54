from core.migrate.env import run_migrations

run_migrations()
