"""Config problems that name the file, the item and the field, with a hint where one helps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches


@dataclass(frozen=True, slots=True)
class ConfigError:
    """One problem in a municipality config, precise enough to fix without reading code."""

    file: str
    item: str | None
    field: str | None
    message: str
    hint: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.item:
            parts.append(f"item {self.item!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        text = ", ".join(parts) + f": {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ConfigInvalid(Exception):
    """The config cannot be used; every error found is listed, not just the first."""

    def __init__(self, errors: list[ConfigError], warnings: list[ConfigError] | None = None):
        self.errors = errors
        self.warnings = warnings or []
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} error(s) in the municipality config:\n{lines}")


def did_you_mean(value: object, known: Iterable[str]) -> str | None:
    """Return "did you mean 'x'?" for a near miss among `known`, or None."""
    matches = get_close_matches(str(value), list(known), n=1, cutoff=0.6)
    return f"did you mean {matches[0]!r}?" if matches else None
