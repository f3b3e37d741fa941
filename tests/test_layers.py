"""The packages depend one way: web/ on schema/ on service/, never back.

The domain (service/) knows nothing of GraphQL or HTTP; the schema knows nothing of HTTP.
`python -m service serve` is an entry point, like web/app.py: it may start the web app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = {ROOT / "service" / "__main__.py"}
FORBIDDEN = {
    "service": ("schema", "web", "strawberry", "starlette", "uvicorn"),
    "schema": ("web", "starlette", "uvicorn"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_nothing_above_it(package: str) -> None:
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if path in ENTRY_POINTS or "migrations" in path.parts:
            continue
        for module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")

    assert wrong == []
