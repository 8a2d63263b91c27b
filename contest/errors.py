"""Errors raised by the domain; their message is Chinese text for the user."""


class ContestError(Exception):
    """Base class: ``str(error)`` is a message a page can show as it is."""


class ValidationError(ContestError, ValueError):
    """Input that breaks a rule (length, format, order of dates...)."""


class PermissionDenied(ContestError):
    """The acting user may not see or change this."""


class AuthError(ContestError):
    """Login failed; the message never says whether the account exists."""
