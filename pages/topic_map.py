"""话题地图 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("话题地图", "议题分布、同题提案分组和相似提案。")
