"""Errors a user can act on. Each message names the next step; the CLI prints it on one line."""
from __future__ import annotations


class AssistantError(Exception):
    """Base class: a problem with the input or the environment, not a bug."""

    exit_code = 1


class InvalidQuestion(AssistantError, ValueError):
    """The question is empty or cannot be read as text."""

    exit_code = 2


class IndexMissing(AssistantError):
    """No usable index: it was never built, or it is damaged."""


class IndexBusy(AssistantError):
    """Another process is building the index right now."""
