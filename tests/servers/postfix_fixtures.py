"""Fixtures for the real postfix test servers (filled in by the postfix probe work)."""
