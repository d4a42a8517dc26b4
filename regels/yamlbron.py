"""Read a YAML file keeping the node tree, so errors can point at a line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from regels.fouten import ConfigError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


@dataclass(frozen=True)
class YamlSource:
    name: str
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """Return the 1-based line of the deepest node found along `loc`."""
        node, line = self.root, None
        for part in loc:
            if node is None:
                break
            line = node.start_mark.line + 1
            node = _child(node, part)
        if node is not None:
            line = node.start_mark.line + 1
        return line


def read_yaml(path: Path) -> YamlSource | ConfigError:
    """Parse a YAML file, or return an error naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
        return YamlSource(
            path.name, yaml.load(text, Loader=_Loader), yaml.compose(text, Loader=_Loader)
        )
    except UnicodeDecodeError as exc:
        return ConfigError(path.name, None, None, f"not UTF-8 text: {exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return ConfigError(
            path.name,
            None,
            None,
            f"YAML syntax: {problem}",
            hint="check indentation and quotes around values containing ':'",
            line=mark.line + 1 if mark else None,
        )


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return value
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
