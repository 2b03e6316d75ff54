"""A throwaway plugin for the domain-event tests: it reacts to its own events.

It depends on ``sample_events_upstream`` (in ``upstream/``), whose handlers must run first
although its name sorts after this one.
"""

MANIFEST = {
    "name": "sample_events",
    "version": "1.0.0",
    "label": "Sample Events",
    "summary": "Handlers of domain events, to test core.events",
    "depends": ["sample_events_upstream"],
}
