#!/usr/bin/env bash
# `make serve`: a local Prefect server (SQLite in PREFECT_HOME) on 127.0.0.1, and newswatch's
# deployments served against it, so every run's history, summary and alerts artifacts stay
# in the UI at http://127.0.0.1:$NEWSWATCH_PREFECT_PORT (default 4200). Ctrl-C stops both.
# `deploy/serve-local.sh --demo` (make demo-ui) runs the demo against that server instead,
# prints each run's UI link, and keeps the server up for a look until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_HOME="${PREFECT_HOME:-$PWD/.newswatch/prefect}"
port="${NEWSWATCH_PREFECT_PORT:-4200}"
export PREFECT_API_URL="http://127.0.0.1:$port/api"
mkdir -p "$PREFECT_HOME"

.venv/bin/prefect server start --host 127.0.0.1 --port "$port" >"$PREFECT_HOME/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT INT TERM
echo "Prefect server starting on http://127.0.0.1:$port (log: $PREFECT_HOME/server.log)"
for _ in $(seq 1 240); do
  if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "$PREFECT_API_URL/health" 2>/dev/null; then
    break
  fi
  kill -0 "$server" 2>/dev/null || { echo "Prefect server exited; see $PREFECT_HOME/server.log" >&2; exit 1; }
  sleep 0.5
done
echo "UI: http://127.0.0.1:$port"
if [ "${1:-}" = "--demo" ]; then
  .venv/bin/newswatch demo
  echo "The demo's runs are in the UI at http://127.0.0.1:$port/runs; Ctrl-C stops the server."
  wait "$server"
else
  .venv/bin/newswatch serve "$@"
fi
