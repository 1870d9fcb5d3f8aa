"""Prefect flows of newswatch: wiring only. The logic lives in `newswatch.pipeline`.

This folder is importable as `newswatch.flows` (src/newswatch/flows links here, and the
wheel ships it there); deployments name its files by path (`flows/ingest.py:ingest_flow`).
Flows take `Settings` (or nothing: then the environment's), never a path per file, and
change no environment variable.
"""
