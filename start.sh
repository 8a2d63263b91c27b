#!/usr/bin/env bash
# Install the portal into .venv (first run only) and start it on http://localhost:8501 (loopback only,
# see .streamlit/config.toml; `bash start.sh --server.address 0.0.0.0` opens it on the network).
# Extra arguments go to `streamlit run`, e.g. `bash start.sh --server.port 8600`.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
exec "$PY" -m streamlit run serve.py "$@"  # the portal without the public metrics endpoint
