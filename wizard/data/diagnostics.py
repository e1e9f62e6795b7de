"""Defects found in a data file, each pinned to ``FILE:LINE:COL``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wizard.errors import BadUsage


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One defect: where it is and what is wrong."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"

    def github(self) -> str:
        """The defect as a GitHub Actions annotation (``::error file=F,line=L,col=C::msg``)."""

        def escape(text: str, prop: bool = False) -> str:
            text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return text.replace(":", "%3A").replace(",", "%2C") if prop else text

        return (f"::error file={escape(self.file, True)},line={self.line},col={self.col}::"
                f"{escape(self.message)}")


class DataFileError(BadUsage):
    """A data file (flow, catalog, profile) has defects; ``diagnostics`` lists them all."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a candidate is close to ``word``, else ``''``."""
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
