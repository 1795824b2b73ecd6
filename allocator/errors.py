"""Bad input is reported as a list of problems, each naming file, row and column.

The CLI turns an :class:`InputError` into one line per problem and exit code 2; the
library raises it so a Python caller gets the same information as structured data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input file: where it is and what to do about it."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


class InputError(ValueError):
    """Raised when an instance or a scenario cannot be used; carries every problem found."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ExportError(OSError):
    """Raised when an export cannot be written completely (nothing is left half-written)."""
