"""批量评分 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("批量评分", "在表格中一次录入多件提案的分数。")
