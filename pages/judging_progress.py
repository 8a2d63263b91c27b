"""评审进度 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("评审进度", "评委完成情况和评分分歧。")
