"""``python -m tests.recording_cli ARGS``: ``email-wizard ARGS`` with probe outcomes recorded.

The tests' subprocesses start the command line through this module so that
the outcome-coverage check sees what they produced (see tests/outcome_recorder.py).
"""

from __future__ import annotations

import sys

from tests.outcome_recorder import install

install()

from wizard.cli import main  # noqa: E402  (after the recorder wraps the probes)

sys.exit(main())
