"""Dependencies point inwards: the domain and the rules never import a framework."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "telegram",
    "sqlmodel",
    "sqlalchemy",
    "apscheduler",
    "aiohttp",
    "alembic",
    "opslag",
    "bot",
}
ALLOWED_IN_DOMAIN = {"holidays", "zoneinfo"}


def _imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(path.name, alias.name.split(".")[0]) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((path.name, node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("package", ["signalen", "regels"])
def test_domain_packages_import_no_framework(package: str) -> None:
    offending = {(f, m) for f, m in _imports(package) if m in FORBIDDEN}
    assert not offending


def test_signalen_uses_only_the_standard_library_and_holidays() -> None:
    import sys

    third_party = (
        {m for _, m in _imports("signalen")}
        - set(sys.stdlib_module_names)
        - {"signalen", "__future__"}
    )
    assert third_party <= ALLOWED_IN_DOMAIN
