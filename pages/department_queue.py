"""待办提案 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("待办提案", "本部门收到的提案和答复。")
