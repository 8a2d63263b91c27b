"""办理追踪 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("办理追踪", "移交率、回复率、解决率和满意率。")
