"""Helpers shared by the tests."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
DAGS = TESTS / "dags"
PROJECT = TESTS / "project"
SRC = TESTS.parent / "src"


def load_dag(file_stem: str) -> Any:
    """Import tests/dags/<file_stem>.py as Airflow would and return its ``dag``."""
    path = DAGS / f"{file_stem}.py"
    spec = importlib.util.spec_from_file_location(f"gftest_dag_{file_stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


def read_probe(probe_dir: Path, label: str) -> dict[str, Any]:
    path = probe_dir / f"{label}.pickle"
    assert path.exists(), f"the task {label!r} did not run (no {path})"
    return pickle.loads(path.read_bytes())


def assert_same(actual: Any, expected: Any, where: str = "value") -> None:
    """Equal *and* of the same types all the way down (1 is not 1.0, a tuple is not a list)."""
    assert type(actual) is type(expected), (
        f"{where}: {type(actual).__name__} {actual!r} != {type(expected).__name__} {expected!r}"
    )
    if isinstance(expected, dict):
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), f"{where}: {actual!r} != {expected!r}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


class FakeTaskInstance:
    """Stands in for the running task instance: serves upstream results by task id."""

    def __init__(self, results: dict[str, Any]) -> None:
        self.results = results
        self.pulls: list[tuple[str, str]] = []

    def xcom_pull(self, task_ids: str, key: str = "return_value") -> Any:
        self.pulls.append((task_ids, key))
        return self.results.get(task_ids)


def fake_context(results: dict[str, Any] | None = None, params: dict | None = None) -> dict:
    """The parts of an Airflow context that gaiaflow's operators read before they run."""
    return {"ti": FakeTaskInstance(results or {}), "params": dict(params or {})}
