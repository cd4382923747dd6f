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


class InvalidArgument(AssistantError, ValueError):
    """An argument of the API has the wrong type or value (a date, a role, a reference)."""

    exit_code = 2


class SettingsError(AssistantError, ValueError):
    """An ``AIACT_*`` environment variable (or a Settings field) holds a value that cannot work."""

    exit_code = 2


class IndexDamaged(IndexMissing):
    """A build's files do not match the checksums its manifest recorded."""


class StorageFull(AssistantError):
    """The disk holding AIACT_HOME is full (or the quota is used up)."""


class ServeError(AssistantError):
    """The web server cannot start as asked (port in use, unsafe bind address)."""

    exit_code = 2
