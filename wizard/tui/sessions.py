"""Saved sessions: a walk's report written as Markdown and JSON, and the list of those saved.

Plain Python — no Textual. Reports go to ``config_dir()/sessions/`` unless
the user picks another place; both files are redacted (no secret is ever
written). The JSON is the ``--json`` object of ``email-wizard run`` plus
``title`` and ``saved_at``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.engine import Session
from wizard.paths import config_dir
from wizard.report import report_markdown, session_json


def sessions_dir() -> Path:
    """Where saved sessions go by default."""
    return config_dir() / "sessions"


def stamp(now: float) -> str:
    """A file-name-safe local time stamp."""
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(now))


def default_base(folder: Path, session: Session, now: float) -> Path:
    """The default report path without its suffix: ``FOLDER/FLOW-YYYYmmdd-HHMMSS``."""
    return folder / f"{session.flow.id}-{stamp(now)}"


def session_report(session: Session, now: float) -> dict[str, Any]:
    """The redacted JSON report of ``session``, with its title and the time it was saved."""
    report = session_json(session)
    report["title"] = session.flow.title
    report["saved_at"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
    return report


def save_session(session: Session, base: Path, now: float, *, markdown: bool = True,
                 as_json: bool = True) -> list[Path]:
    """Write ``BASE.md`` and/or ``BASE.json``; the paths written."""
    report = session_report(session, now)
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    if markdown:
        path = base.with_name(base.name + ".md")
        path.write_text(report_markdown(report), encoding="utf-8")
        written.append(path)
    if as_json:
        path = base.with_name(base.name + ".json")
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class SavedSession:
    """A saved JSON report as the home screen lists it."""

    path: Path
    flow: str
    title: str
    status: str
    saved_at: str
    report: dict[str, Any]


def list_saved(folder: Path, limit: int = 20) -> list[SavedSession]:
    """The saved reports in ``folder``, newest first; unreadable files are skipped."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.json"):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(report, dict) or "flow" not in report:
            continue
        found.append(SavedSession(path, str(report.get("flow")),
                                  str(report.get("title") or report.get("flow")),
                                  str(report.get("status", "")),
                                  str(report.get("saved_at", "")), report))
    found.sort(key=lambda s: (s.saved_at, s.path.name), reverse=True)
    return found[:limit]
