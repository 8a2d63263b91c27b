#!/usr/bin/env bash
# Install the portal into .venv (first run only) and start it on http://localhost:8501.
# Extra arguments go to `streamlit run`, e.g. `bash start.sh --server.port 8600`.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
exec "$PY" -m streamlit run streamlit_app.py "$@"
