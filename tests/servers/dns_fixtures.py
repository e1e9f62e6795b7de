"""Fixtures for the real dns test servers (filled in by the dns probe work)."""
