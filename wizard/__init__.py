"""email-wizard: find out why email is not being delivered, and get the exact fix."""

__version__ = "0.2.0"
