"""A pydantic error as a coordinator reads it: the file, the item, the field, and a hint
that names only fields valid at that place."""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from regels.fouten import ConfigError, did_you_mean
from regels.schema import FILES, Strict
from regels.yamlbron import YamlSource

_QUOTED = re.compile(r"'([^']*)'")


def validation_errors(source: YamlSource, exc: ValidationError) -> list[ConfigError]:
    errors = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        item, field_path = _item_and_field(source.data, loc)
        hint = None
        if err["type"] == "extra_forbidden":
            message = "unknown field"
            here = _fields_at(FILES[source.name], loc[:-1])
            hint = did_you_mean(loc[-1], here) or _word_of(str(loc[-1]), here)
        elif err["type"] == "enum":
            message = err["msg"]
            hint = did_you_mean(err.get("input"), _QUOTED.findall(err["ctx"]["expected"]))
        elif err["type"] == "string_pattern_mismatch":
            message = "ids use lowercase letters, digits, '-' and '_' only"
        else:
            message = err["msg"].removeprefix("Value error, ")
        errors.append(
            ConfigError(source.name, item, field_path, message, hint, source.line_of(loc))
        )
    return errors


def _item_and_field(data: Any, loc: tuple) -> tuple[str | None, str | None]:
    """Split a pydantic location into the nearest item with an id and the field inside it."""
    item, rest_from, node = None, 0, data
    for n, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int):
            item = node.get("id") if isinstance(node, dict) and node.get("id") else f"#{part + 1}"
            rest_from = n + 1
    rest = [str(p) if not isinstance(p, int) else f"[{p}]" for p in loc[rest_from:]]
    return item, ".".join(rest).replace(".[", "[") or None


def _fields_at(annotation: Any, loc: tuple) -> set[str]:
    """The field names valid at `loc` in a file (e.g. ("rules", 0, "then")): a "did you
    mean" offers only those, never a field of another part of the config."""
    for part in loc:
        if isinstance(part, int):  # an item of a list
            annotation = next(iter(_items(annotation, list)), None)
        else:
            models = [m for m in _model_args(annotation) if part in m.model_fields]
            annotation = models[0].model_fields[part].annotation if models else None
            if annotation is None:
                return set()
    return {name for m in _model_args(annotation) for name in m.model_fields}


def _word_of(name: str, fields: set[str]) -> str | None:
    """A hint for a short name that is one word of a field here: "days" → "deadline_days"."""
    found = sorted(f for f in fields if name in f.split("_"))
    return f"did you mean {' or '.join(repr(f) for f in found)}?" if found else None


def _items(annotation: Any, container: type) -> list[Any]:
    """The item types of `container` (list) types inside an annotation (also in unions)."""
    if get_origin(annotation) is container:
        return [get_args(annotation)[0]]
    return [i for a in get_args(annotation) for i in _items(a, container)]


def _model_args(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, Strict):
        return [annotation]
    return [m for a in getattr(annotation, "__args__", ()) for m in _model_args(a)]
