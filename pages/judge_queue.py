"""评审任务 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("评审任务", "查看分配给您的提案和评审进度。")
