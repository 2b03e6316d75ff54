"""Hooks of sample_extend: only its side table."""

from core.hooks import hookimpl
from sample_extend.models import NoteExtras


@hookimpl
def aftersales_models():
    return [NoteExtras]
