"""Prefect flows of newswatch: wiring only. The logic lives in `newswatch`.

Importing this package sets Prefect defaults that suit a tool which must not send
traffic anywhere unasked: no telemetry, no analytics, and enough time for the ephemeral
API to start on a small machine (its first start migrates its own database). Each is a
default only: a value already in the environment wins.
"""

import os

for _name, _value in {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}.items():
    os.environ.setdefault(_name, _value)
