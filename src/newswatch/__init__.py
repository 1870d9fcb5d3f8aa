"""newswatch: news ingest and alerts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newswatch")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0+unknown"
