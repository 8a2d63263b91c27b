"""评审分配 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("评审分配", "自动均衡分配评委，避免利益冲突。")
