"""The project's own error type for bad input files.

Statisticians act on these messages, so every error names the source, the file and — where
known — the row, the column, the offending value and the rule it broke.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    source: str
    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = [f"{self.source}: {self.file}"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ", ".join(where) + f": {self.rule}"
        if self.value is not None:
            text += f" (value: {self.value!r})"
        return text


class IngestError(ValueError):
    """A file that cannot be recognised, parsed or validated.

    Carries one or more :class:`Problem` records; ``str(error)`` lists them all.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(
        cls,
        source: str,
        file: str | Path,
        rule: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> IngestError:
        """Build an error with one problem (the common case)."""
        return cls(Problem(source, Path(file).name, rule, row, column, value))
