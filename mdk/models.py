"""Imports every feature's models, so Alembic and the tests see the whole schema."""
