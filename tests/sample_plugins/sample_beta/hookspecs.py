"""A hook sample_beta offers to other plugins."""

from core.hooks import hookspec


@hookspec
def sample_beta_greetings() -> list[str]:
    """Return greetings to show on beta's page."""
