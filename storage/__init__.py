"""Persistence: SQLModel tables, repository functions and Alembic migrations. Used by `bot` only."""
