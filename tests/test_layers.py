"""The layers import one way: a module that reaches the wrong way fails here.

Read from the source (every import statement, at any depth, TYPE_CHECKING blocks included),
not from a running interpreter, so a lazy import inside a function counts too.

KNOWN lists what still reaches the wrong way today, each with why; it may only shrink: a new
violation fails, and so does an entry that no longer happens (delete it when it is fixed).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each layer must never import (module prefixes).
SLACK = ("slack_bolt", "slack_sdk")
APP = (
    "handlers",
    "bot.slack",
    "bot.jobs",
    "bot.sync",
    "bot.dev",
    "bot.web",
    "bot.unit_of_work",
    "bot.cli",
)
# The CRM connectors speak HTTP to the CRMs: only the sync (bot/sync/) and the CLI use them.
CRM = ("bot.crm",)
IO = ("sqlalchemy", "models", "bot.db", "bot.services", "socket", "http", "urllib", "requests")
RULES: dict[str, tuple[str, ...]] = {
    "bot/domain/": (*SLACK, *APP, *CRM, *IO, "bot.views", "bot.charts", "subprocess", "pathlib"),
    "bot/results/": (*SLACK, *APP, *CRM, *IO, "bot.views", "bot.charts"),
    "bot/services/": (*SLACK, *APP, *CRM, "bot.db", "bot.views", "bot.charts"),
    "bot/views/": (
        *SLACK,
        *APP,
        *CRM,
        "bot.db",
        "bot.services",
        "models",
        "sqlalchemy",
        "bot.charts",
    ),
    "bot/charts/": (*SLACK, *APP, *CRM, "bot.db", "bot.services", "models", "sqlalchemy", "pyplot"),
    # A connector knows its CRM's API, not Salesbot's database, deals or Slack.
    "bot/crm/": (
        *SLACK,
        *APP,
        "sqlalchemy",
        "models",
        "bot.db",
        "bot.services",
        "bot.views",
        "bot.charts",
    ),
    # The board reads through services and shows through views; it never speaks to Slack.
    "bot/web/": (
        *SLACK,
        "handlers",
        "bot.slack",
        "bot.jobs",
        "bot.sync",
        "bot.dev",
        "bot.unit_of_work",
        "bot.cli",
        *CRM,
    ),
    "handlers/": (
        "bot.db",
        "sqlalchemy",
        "handlers.",
        "bot.jobs",
        "bot.dev",
        "bot.services.outbox",
    ),
    "models/": (*SLACK, *APP, *CRM, "bot.services", "bot.views", "bot.domain", "bot.charts"),
}

# (importing file, imported module): why it is still so. Only ever remove lines.
KNOWN: dict[tuple[str, str], str] = {}


# A handler's work closure is handed the session to pass to a service: it may name the type.
ALLOWED = {("handlers/", "sqlalchemy.orm.Session")}


def python_files() -> Iterator[Path]:
    for folder in ("bot", "handlers", "models"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def imports_of(path: Path) -> Iterator[str]:
    """Every name the file imports (`from x import y` gives x.y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield f"{node.module}.{alias.name}"


def reaches(module: str, prefix: str) -> bool:
    if prefix.endswith("."):
        return module.startswith(prefix)
    return module == prefix or module.startswith(prefix + ".") or module.endswith("." + prefix)


def violations() -> set[tuple[str, str]]:
    found = set()
    for path in python_files():
        relative = path.relative_to(ROOT).as_posix()
        forbidden = next((f for layer, f in RULES.items() if relative.startswith(layer)), ())
        if relative == "handlers/__init__.py":
            continue  # it registers every surface
        allowed = {name for layer, name in ALLOWED if relative.startswith(layer)}
        for module in imports_of(path):
            if module in allowed:
                continue
            if any(reaches(module, prefix) for prefix in forbidden):
                found.add((relative, _module_of(module)))
    return found


def _module_of(module: str) -> str:
    """A project module's own name (without an imported symbol); another package's name."""
    parts = module.split(".")
    if parts[0] not in {"bot", "handlers", "models"}:
        return parts[0]
    while len(parts) > 1 and not _is_module(parts):
        parts.pop()
    return ".".join(parts)


def _is_module(parts: list[str]) -> bool:
    base = ROOT.joinpath(*parts)
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def test_no_layer_reaches_the_wrong_way() -> None:
    new = sorted(violations() - set(KNOWN))
    assert new == [], "imports against the layers:\n" + "\n".join(f"{f} -> {m}" for f, m in new)


SESSION_METHODS = {
    "add",
    "begin",
    "commit",
    "delete",
    "execute",
    "flush",
    "get",
    "query",
    "rollback",
    "scalar",
    "scalars",
}


def test_handlers_never_touch_the_session() -> None:
    """They hand it to a service; the unit of work owns the transaction."""
    touched = []
    for path in sorted((ROOT / "handlers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SESSION_METHODS
                and isinstance(node.func.value, ast.Name)
                and "session" in node.func.value.id
            ):
                touched.append(f"{path.name}:{node.lineno} session.{node.func.attr}()")
    assert touched == []


def test_known_exceptions_still_exist() -> None:
    gone = sorted(set(KNOWN) - violations())
    assert gone == [], "fixed, so delete from KNOWN:\n" + "\n".join(f"{f} -> {m}" for f, m in gone)


@pytest.mark.parametrize(
    ("relative", "module", "wrong"),
    [
        ("bot/services/deals.py", "bot.views.deals", True),
        ("bot/services/deals.py", "slack_sdk.errors", True),
        ("bot/services/deals.py", "bot.db", True),
        ("bot/domain/dates.py", "sqlalchemy.orm", True),
        ("handlers/home.py", "bot.db", True),
        ("handlers/home.py", "handlers.report", True),
        ("handlers/home.py", "handlers", False),
        ("bot/views/deals.py", "models.deal", True),
        ("bot/services/deals.py", "bot.domain.dates", False),
        ("bot/views/deals.py", "bot.results.notices", False),
        ("bot/services/crm.py", "bot.crm.hubspot", True),
        ("bot/services/crm.py", "bot.domain.crm", False),
        ("bot/crm/hubspot.py", "urllib.request", False),
        ("bot/crm/hubspot.py", "models.crm", True),
        ("bot/crm/hubspot.py", "bot.sync.pull", True),
    ],
)
def test_the_rules_catch_what_they_should(relative: str, module: str, wrong: bool) -> None:
    forbidden = next(f for layer, f in RULES.items() if relative.startswith(layer))
    assert any(reaches(module, prefix) for prefix in forbidden) is wrong


def test_every_folder_says_what_it_may_import() -> None:
    for folder in (
        "bot/slack",
        "bot/jobs",
        "bot/dev",
        "bot/results",
        "bot/crm",
        "bot/sync",
        "bot/web",
    ):
        doc = ast.get_docstring(ast.parse((ROOT / folder / "__init__.py").read_text()))
        assert doc and "import" in doc, f"{folder}/__init__.py does not say what it may import"
