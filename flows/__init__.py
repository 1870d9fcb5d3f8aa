"""Prefect flows of newswatch: wiring only. The logic lives in `newswatch`."""
