"""Every library wamock imports at run time is one of its declared runtime dependencies.

`pip install .` installs exactly those (no test extras), so an import outside them fails for
a user, as `openapi_core` once did for `wamock check`, though every test passed in tox.
"""

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("wamock", "handlers")


def imported_modules(source: Path) -> set[str]:
    """The top-level names of every module a file imports, at its top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def third_party_imports() -> dict[str, set[str]]:
    """Each third-party module imported by wamock's runtime code, with the files that import it."""
    found: dict[str, set[str]] = {}
    for package in RUNTIME_PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            for name in imported_modules(source) - set(sys.stdlib_module_names) - set(RUNTIME_PACKAGES):
                found.setdefault(name, set()).add(str(source.relative_to(ROOT)))
    return found


def normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared_runtime_dependencies() -> set[str]:
    """The distributions `pip install wamock` installs directly: requirements without an extra marker."""
    requirements = importlib.metadata.requires("wamock") or []
    runtime = [requirement for requirement in requirements if "extra ==" not in requirement]
    return {normalized(re.match(r"[A-Za-z0-9_.-]+", requirement).group()) for requirement in runtime}


def test_every_runtime_import_is_a_declared_dependency():
    providers = importlib.metadata.packages_distributions()
    declared = declared_runtime_dependencies()

    undeclared = {
        module: sorted(files)
        for module, files in third_party_imports().items()
        if not {normalized(dist) for dist in providers.get(module, [module])} & declared
    }

    assert undeclared == {}


def test_the_import_scan_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "lazy.py"
    source.write_text("def run():\n    from openapi_core import OpenAPI\n    import yaml.constructor\n")

    assert imported_modules(source) == {"openapi_core", "yaml"}
