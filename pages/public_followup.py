"""提案办理公开 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("提案办理公开", "已转办提案的办理状态和答复。")
