"""Role checks shared by every domain module."""
from __future__ import annotations

from .errors import PermissionDenied
from .vocabulary import Role


def require_role(user, *roles: str) -> None:
    """Raise PermissionDenied unless ``user`` is logged in with one of ``roles``."""
    if user is None:
        raise PermissionDenied("请先登录。")
    if user.role not in roles:
        names = "、".join(Role(r).label for r in roles)
        raise PermissionDenied(f"无权限：此操作仅限{names}。")
