"""我的提案 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("我的提案", "查看自己提交和合作的提案及办理进度。")
