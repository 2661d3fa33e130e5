"""Persistence for Firebell: SQLModel tables, the engine, and Alembic migrations."""
