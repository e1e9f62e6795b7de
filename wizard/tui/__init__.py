"""The Textual front-end: a home screen of flows, a form for a flow's inputs and the walk.

The only package that imports Textual. Screens are thin: they show the
engine's state and turn keys into engine calls; the walk's page logic lives
in :mod:`wizard.tui.navigation`, which imports no Textual.
"""
