"""newswatch: news ingest and alerts."""
