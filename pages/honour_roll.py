"""获奖名单 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("获奖名单", "结果公布后的获奖提案。")
