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
    blocking: bool = True
    """False: the file is recognised but not used (see :mod:`pipelines.ingest.unused`)."""

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


def capped(
    problems: list[Problem],
    limit: int,
    *,
    source: str,
    file: str,
    stopped_at: int | None = None,
) -> list[Problem]:
    """At most ``limit`` problems: the first ones, then one line that says how many there are.

    ``stopped_at`` is the row after which reading stopped (more problems may follow), or
    ``None`` when the whole file was read and the count is complete. A file of ten million bad
    rows costs the same as one of fifty, and the message stays readable.
    """
    if stopped_at is None and len(problems) <= limit:
        return problems
    shown = problems[: limit - 1]
    if stopped_at is None:
        rule = f"insgesamt {len(problems)} Probleme, die ersten {len(shown)} stehen oben"
    else:
        rule = (
            f"mindestens {len(problems)} Probleme: Prüfung nach Zeile {stopped_at} beendet, "
            f"die ersten {len(shown)} stehen oben"
        )
    return [*shown, Problem(source, file, rule)]
