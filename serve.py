"""Production entry point: `streamlit run serve.py` (start.sh does) serves streamlit_app.py
with Streamlit's /_stcore/metrics endpoint answered 404.

Streamlit 1.67 has no option to turn the metrics endpoint off and serves it without login
(sessions, memory, cache sizes); `streamlit run` finds the st.App below and runs the portal
through it, the same pages and .streamlit/config.toml settings, with this one route hidden.
`streamlit run streamlit_app.py` still works for development.
"""
import posixpath

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse

HIDDEN = "/_stcore/metrics"


def hidden(path: str) -> bool:
    """True for the metrics route, however its path is spelled (//, trailing slash, dots, case)."""
    return posixpath.normpath("/" + path).lower().endswith(HIDDEN)


class HideMetrics:
    """ASGI middleware: 404 for the metrics route, everything else untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and hidden(scope["path"]):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


app = st.App("streamlit_app.py", middleware=[Middleware(HideMetrics)])
