"""Helpers for the TUI tests: fixed flows, a scripted probe runner, a still app."""
