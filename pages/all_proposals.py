"""全部提案 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("全部提案", "检索、筛选和导出全部提案。")
