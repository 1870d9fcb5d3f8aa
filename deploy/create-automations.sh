#!/bin/sh
# Create the automations of deploy/automations.yaml on the Prefect server that
# PREFECT_API_URL points at, their alerts sent through one notification block:
#   sh deploy/create-automations.sh <block-type-slug>/<block-name>
# for example slack-webhook/newswatch-failures. Needs the project's Python environment
# (the worker image, or .venv/bin on PATH).
set -eu
block="${1:?usage: create-automations.sh <block-type-slug>/<block-name>}"
here="$(dirname "$0")"
id="$(python - "$block" <<'PY'
import sys
from prefect.client.orchestration import get_client

slug, _, name = sys.argv[1].partition("/")
if not name:
    sys.exit(f"expected <block-type-slug>/<block-name>, got {sys.argv[1]!r}")
with get_client(sync_client=True) as client:
    print(client.read_block_document_by_name(name=name, block_type_slug=slug).id)
PY
)"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
sed "s/NOTIFICATION_BLOCK_ID/$id/" "$here/automations.yaml" >"$workdir/automations.yaml"
prefect automation create --from-file "$workdir/automations.yaml"
