"""导入提案 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("导入提案", "从 Excel/CSV 导入已有提案。")
