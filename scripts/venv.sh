#!/usr/bin/env bash
# Make (or refresh) the project's virtual environment in .venv and install REQUIREMENTS into it.
# Works on a fresh Debian 12: no `python`, and the system pip refuses to install (PEP 668).
# Usage: source scripts/venv.sh requirements.txt   -> sets $PY to the venv's python
set -euo pipefail
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_req="${1:-requirements.txt}"
_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v python3 >/dev/null 2>&1; then
  _as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive _as_root apt-get install -y -qq python3 >/dev/null
fi
if [ ! -x "$_root/.venv/bin/python" ]; then
  if ! python3 -m venv "$_root/.venv" >/dev/null 2>&1; then
    # Debian ships venv/ensurepip separately
    rm -rf "$_root/.venv"
    _as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive _as_root apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$_root/.venv"
  fi
fi
PY="$_root/.venv/bin/python"
# Reinstall only when the requirement files changed since the last install.
_stamp="$_root/.venv/.installed-$(basename "$_req")"
_sum="$(cat "$_root"/requirements*.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$_stamp" ] || [ "$(cat "$_stamp")" != "$_sum" ]; then
  "$PY" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  (cd "$_root" && "$PY" -m pip install -q --disable-pip-version-check -r "$_req")
  echo "$_sum" > "$_stamp"
fi
export PY
