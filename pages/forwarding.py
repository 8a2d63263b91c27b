"""提案转办 (placeholder until its issue lands)."""
from pages import _ui as ui

ui.coming_soon("提案转办", "把立案提案转交职能部门办理。")
