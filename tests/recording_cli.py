"""``python -m tests.recording_cli ARGS``: ``email-wizard ARGS`` with probe outcomes recorded.

The tests' subprocesses start the command line through this module so that
the outcome-coverage check sees what they produced (see tests/outcome_recorder.py); each
outcome is written to the log as it happens, so the quick exit loses none.
"""

from __future__ import annotations

from tests.outcome_recorder import install

install()

from wizard.cli import console_main  # noqa: E402  (after the recorder wraps the probes)

console_main()  # the console script's own way in and out (quick exit, collector off at start)
