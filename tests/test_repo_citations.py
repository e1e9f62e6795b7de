"""No file in the repository cites a path that is not in the repository.

The provider's troubleshooting page is cited by its public title ("OCI Email
Delivery: Troubleshooting"), never by where a copy of it sat outside the tree.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import ROOT

SKIP_DIRS = {".git", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__",
             "__snapshots__", "screenshots", "build", "dist"}
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".json", ".cfg", ".ini",
                 ".sh", ".tcss", ""}
# Built from pieces so that this file does not cite them itself.
OUTSIDE = re.compile("|".join([
    r"\.\./" + "shared",
    "shared/" + "reference",
    r"(?<![\w/])reference/[\w.-]+\.txt",
    "oci-email-delivery-" + r"troubleshooting\.txt",
]))


def _text_files(root: Path) -> list[Path]:
    out: list[Path] = []
    for path in root.rglob("*"):
        if any(part in SKIP_DIRS or part.endswith(".egg-info")
               for part in path.relative_to(root).parts):
            continue
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            out.append(path)
    return out


def test_no_file_cites_the_reference_page_by_a_path_outside_the_repository() -> None:
    cited = []
    for path in _text_files(ROOT):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for found in OUTSIDE.finditer(line):
                cited.append(f"{path.relative_to(ROOT)}:{number}: {found.group()}")
    assert cited == []


def test_the_catalog_and_the_provider_profile_cite_the_page_by_its_title() -> None:
    for relative in ("flows/catalog/oci-email-delivery.yaml", "flows/providers/oci.yaml"):
        assert "OCI Email Delivery: Troubleshooting" in (ROOT / relative).read_text(), relative
