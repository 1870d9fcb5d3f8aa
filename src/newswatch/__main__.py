"""`python -m newswatch` is the `newswatch` command."""

from newswatch.cli import app

app(prog_name="newswatch")
