"""Errors raised by the domain; their message is Chinese text for the user."""


class ContestError(Exception):
    """Base class: ``str(error)`` is a message a page can show as it is."""


class ValidationError(ContestError, ValueError):
    """Input that breaks a rule (length, format, order of dates...)."""


class PermissionDenied(ContestError):
    """The acting user may not see or change this."""


class ArchivedContest(PermissionDenied):
    """A write to an earlier contest (an archive, read-only)."""

    def __init__(self, message: str = "这是往届比赛的归档，只能查看，不能修改。请切换回本届比赛。"):
        super().__init__(message)


class AuthError(ContestError):
    """Login failed; the message never says whether the account exists."""


class Busy(ContestError):
    """The database stayed locked by other writes for longer than a write waits; nothing was saved."""

    def __init__(self, message: str = "系统繁忙，这次没有保存成功。请稍等几秒后再提交一次（已填写的内容仍在页面上）。"):
        super().__init__(message)
