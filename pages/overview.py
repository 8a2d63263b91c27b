"""概览 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("概览", "比赛各阶段的关键数字。")
