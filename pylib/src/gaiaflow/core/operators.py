"""``FromTask``: an argument whose value is an upstream task's result.

The operators themselves live in one module per mode (``gaiaflow.core.dev``,
``gaiaflow.core.dev_docker``, ``gaiaflow.core.kubernetes``) so that a DAG only imports the
provider its mode needs. They are re-exported here lazily for ``isinstance`` checks.
"""

from __future__ import annotations

from typing import Any

RETURN_VALUE = "return_value"

_LAZY_OPERATORS = {
    "GaiaflowExternalPythonOperator": "gaiaflow.core.dev",
    "GaiaflowDockerOperator": "gaiaflow.core.dev_docker",
    "GaiaflowKubernetesPodOperator": "gaiaflow.core.kubernetes",
}

__all__ = ["RETURN_VALUE", "FromTask", *_LAZY_OPERATORS]


class FromTask:
    """The result of an upstream task, passed as an argument of a downstream task.

    ``task`` is the upstream task's full id: inside a TaskGroup that includes the group's prefix,
    for example ``"training_group.preprocess_data"``. With ``key="return_value"`` (the default)
    the downstream function receives the whole return value; with any other key it receives
    ``return_value[key]``, so the upstream function must return a dict holding that key.

    Values arrive with their JSON types in every mode. The upstream task must be upstream of the
    task that uses its value (``upstream >> downstream``); gaiaflow checks this when the task runs.
    """

    def __init__(self, task: str, key: str = RETURN_VALUE) -> None:
        if not isinstance(task, str) or not task.strip():
            raise ValueError(f"FromTask(task={task!r}): task must be the upstream task's id")
        if not isinstance(key, str) or not key:
            raise ValueError(f"FromTask({task!r}, key={key!r}): key must be a non-empty string")
        self.task = task
        self.key = key

    def to_dict(self) -> dict[str, str]:
        """Return ``{"task": ..., "key": ...}`` (kept from the original API)."""
        return {"task": self.task, "key": self.key}

    def __repr__(self) -> str:
        if self.key == RETURN_VALUE:
            return f"FromTask({self.task!r})"
        return f"FromTask({self.task!r}, key={self.key!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FromTask):
            return NotImplemented
        return (self.task, self.key) == (other.task, other.key)

    def __hash__(self) -> int:
        return hash((self.task, self.key))


def __getattr__(name: str) -> Any:
    module_name = _LAZY_OPERATORS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
