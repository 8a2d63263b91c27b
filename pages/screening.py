"""立案审查 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("立案审查", "逐件或批量立案、不予立案、调整议题。")
