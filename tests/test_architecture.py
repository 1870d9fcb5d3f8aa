"""The rings are visible in the tree and held by the import contract (make check runs it).

A module placed directly in src/newswatch/ belongs to the pure core: it must be listed in
the core's import-linter contract, so that nothing there does I/O or knows Prefect.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "newswatch"
UPPER_RINGS = {"cli", "pipeline", "adapters", "flows"}
DATA_PACKAGES = {"data", "demo_data"}  # files read with importlib.resources, no code
NOT_MODULES = {"__init__", "__main__"}


def _contracts() -> list[dict[str, object]]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["tool"]["importlinter"]["contracts"])


def test_every_module_outside_the_upper_rings_is_in_the_pure_core_contract() -> None:
    core = next(c for c in _contracts() if "pure core" in str(c["name"]))
    listed = set(core["source_modules"])  # type: ignore[call-overload]
    on_disk = {
        f"newswatch.{p.stem if p.is_file() else p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem not in NOT_MODULES)
        or (
            p.is_dir()
            and (p / "__init__.py").exists()
            and p.name not in UPPER_RINGS | DATA_PACKAGES
        )
    }
    assert on_disk - listed == set(), "new core modules must be listed in the pure contract"
    assert listed - on_disk == set(), "the contract lists modules that no longer exist"


def test_the_rings_contract_orders_the_upper_rings() -> None:
    layers = next(c for c in _contracts() if c["type"] == "layers")
    assert layers["layers"] == [
        "newswatch.__main__",
        "newswatch.cli",
        "newswatch.flows",
        "newswatch.pipeline",
        "newswatch.adapters",
    ]


def test_flows_ship_inside_the_package() -> None:
    # flows/ stays the project's top-level folder; newswatch.flows is the same files
    link = PACKAGE / "flows"
    assert link.is_symlink() and link.resolve() == (REPO / "flows").resolve()
    import newswatch.flows.ingest as ingest

    assert Path(ingest.__file__).resolve() == (REPO / "flows" / "ingest.py").resolve()


def test_no_module_is_long_without_saying_why() -> None:
    # ~400 lines is where a module usually holds a second reason to change; a longer one
    # says at its top why it is one piece ("Why one module: ...").
    long = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 450 and "Why one module" not in text[:3000]:
            long.append(f"{path.relative_to(REPO)} ({text.count(chr(10))} lines)")
    assert long == []
