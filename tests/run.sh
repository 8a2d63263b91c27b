#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine (a .venv with the Python
# packages; Debian's chromium and CJK fonts for the browser tests), then run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
# The single sign-on browser tests run a real OpenID Connect provider (npm: oidc-provider).
if ! command -v npm >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
(cd tests/browser/oidc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
source scripts/venv.sh requirements-dev.txt
exec "$PY" -m pytest "$@"
