"""评分 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("评分", "按评分标准为提案打分。")
