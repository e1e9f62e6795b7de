"""Applying fixes safely: shown as a diff first, applied only on request, with a backup."""
