"""The dependency of sample_events; its handlers must run before sample_events'."""

MANIFEST = {
    "name": "sample_events_upstream",
    "version": "1.0.0",
    "label": "Sample Events Upstream",
    "summary": "A dependency whose event handlers run first",
}
