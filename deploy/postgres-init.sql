-- Runs once, when the PostgreSQL volume is first created: the Prefect server's own database
-- beside newswatch's (newswatch's schema is created by its Alembic migrations on first run).
CREATE DATABASE prefect OWNER newswatch;
