"""排名与奖项 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("排名与奖项", "去除评委宽严差异的排名、奖项与发布。")
