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


def test_use_cases_import_no_telegram_and_no_edge() -> None:
    """kern/ is the core every channel calls: no chat client, no scheduler, no edge code."""
    offending = {
        (f, m) for f, m in _imports("kern") if m in {"telegram", "apscheduler", "aiohttp", "bot"}
    }
    assert not offending


KEYBOARDS = {
    "InlineKeyboardMarkup",
    "InlineKeyboardButton",
    "ReplyKeyboardMarkup",
    "KeyboardButton",
}


def test_only_the_telegram_edge_builds_keyboards() -> None:
    """Use cases return neutral choices; Telegram's keyboard classes live in bot/chat/ only."""
    users = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.is_relative_to(ROOT / ".venv") or path.is_relative_to(ROOT / "tests"):
            continue
        names = {
            n.id if isinstance(n, ast.Name) else n.attr
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Name | ast.Attribute)
        }
        names |= {
            alias.name
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.ImportFrom)
            for alias in n.names
        }
        if names & KEYBOARDS:
            users.add(path.relative_to(ROOT).parent.as_posix())
    assert users == {"bot/chat"}


@pytest.mark.parametrize("package", ["signalen", "regels", "opslag", "kern", "bot"])
def test_no_module_over_400_lines(package: str) -> None:
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in (ROOT / package).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long
