"""Alembic environment: migrates the database whose URL the store passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from newswatch.adapters.schema import metadata

config = context.config
connection = config.attributes.get("connection")


def run_migrations() -> None:
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
