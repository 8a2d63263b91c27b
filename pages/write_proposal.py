"""撰写提案 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("撰写提案", "填写提案、保存草稿并提交。")
