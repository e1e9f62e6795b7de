"""Fixtures for the real smtp test servers (filled in by the smtp probe work)."""
