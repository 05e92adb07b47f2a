"""A task's call: checked when the DAG is parsed, resolved when the task runs.

Parse time (:meth:`TaskCall.build`): ``func_path`` must read ``package.module:function`` and every
argument must be a JSON value or a :class:`FromTask`, at any depth. Positional and keyword
arguments keep their order and position exactly; nothing is compacted or re-indexed.

Run time (:meth:`TaskCall.resolve`): each ``FromTask`` becomes the upstream task's value as
Airflow stored it (real JSON types, never text pasted into JSON), literal strings holding Jinja
(``"{{ ds }}"``) are rendered as Airflow renders operator arguments, and the run's params (with
a trigger's conf applied) are added. The result is the JSON that ``gaiaflow.call.run_call``
reads, the same in every mode.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gaiaflow.core.operators import RETURN_VALUE, FromTask

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.definitions.context import Context

_JINJA_MARKERS = ("{{", "{%", "{#")


class TaskDefinitionError(ValueError):
    """A create_task(...) call that cannot work; raised while the DAG file is parsed."""


def task_error(task_id: str, problem: str, fix: str) -> TaskDefinitionError:
    """Build the one-line-problem, one-line-fix message every parse-time error uses."""
    return TaskDefinitionError(f"create_task({task_id!r}): {problem}\n  fix: {fix}")


def check_func_path(task_id: str, func_path: object) -> str:
    """Return ``func_path`` if it reads ``package.module:function``; raise otherwise."""
    fix = 'write it as "package.module:function", e.g. "my_package.train:train_model"'
    if not isinstance(func_path, str):
        raise task_error(task_id, f"func_path must be a string, got {func_path!r}", fix)
    module, colon, attr = func_path.partition(":")
    problem = None
    if not colon:
        problem = f"func_path {func_path!r} has no ':' between the module and the function"
    elif ":" in attr:
        problem = f"func_path {func_path!r} has more than one ':'"
    elif not _dotted_name(module):
        problem = f"func_path {func_path!r}: {module!r} is not a dotted module path"
    elif not _dotted_name(attr):
        problem = f"func_path {func_path!r}: {attr!r} is not a function name"
    if problem:
        raise task_error(task_id, problem, fix)
    return func_path


def _dotted_name(text: str) -> bool:
    parts = text.split(".")
    return all(p.isidentifier() and not keyword.iskeyword(p) for p in parts)


def _freeze(task_id: str, value: Any, where: str) -> Any:
    """Copy one argument, checking that it is JSON data or FromTask all the way down."""
    if isinstance(value, FromTask):
        return FromTask(value.task, value.key)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_freeze(task_id, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        frozen = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise task_error(
                    task_id,
                    f"{where} has the key {k!r} ({type(k).__name__}); JSON keys are strings",
                    f"use str keys in {where}",
                )
            frozen[k] = _freeze(task_id, v, f"{where}[{k!r}]")
        return frozen
    raise task_error(
        task_id,
        f"{where} is a {type(value).__name__}, which cannot be passed to a task",
        "pass JSON values (str, int, float, bool, None, lists, dicts with str keys) "
        "or FromTask(...); pass files by path",
    )


def _walk(value: Any, found: list[FromTask]) -> None:
    if isinstance(value, FromTask):
        found.append(value)
    elif isinstance(value, list):
        for v in value:
            _walk(v, found)
    elif isinstance(value, dict):
        for v in value.values():
            _walk(v, found)


@dataclass(frozen=True)
class TaskCall:
    """What a task calls and with which arguments, as written in the DAG."""

    func_path: str
    args: list[Any]
    kwargs: dict[str, Any]

    @classmethod
    def build(
        cls,
        task_id: str,
        func_path: object,
        func_args: Sequence[Any] | None,
        func_kwargs: Mapping[str, Any] | None,
    ) -> TaskCall:
        """Check and copy the arguments of create_task; the caller's objects stay untouched."""
        func_path = check_func_path(task_id, func_path)
        if func_args is None:
            func_args = []
        if func_kwargs is None:
            func_kwargs = {}
        if isinstance(func_args, (str, bytes, Mapping)) or not isinstance(func_args, Sequence):
            raise task_error(
                task_id,
                f"func_args must be a list, got {type(func_args).__name__}",
                "pass positional arguments as a list, e.g. func_args=[1, FromTask('prep')]",
            )
        if not isinstance(func_kwargs, Mapping):
            raise task_error(
                task_id,
                f"func_kwargs must be a dict, got {type(func_kwargs).__name__}",
                "pass keyword arguments as a dict, e.g. func_kwargs={'epochs': 10}",
            )
        args = [_freeze(task_id, v, f"func_args[{i}]") for i, v in enumerate(func_args)]
        kwargs = _freeze(task_id, dict(func_kwargs), "func_kwargs")
        return cls(func_path=func_path, args=args, kwargs=kwargs)

    def from_tasks(self) -> list[FromTask]:
        """Every FromTask in the arguments, in order."""
        found: list[FromTask] = []
        _walk(self.args, found)
        _walk(self.kwargs, found)
        return found

    def resolve(self, operator: BaseOperator, context: Context) -> str:
        """Return the call as JSON for this run (see the module docstring)."""
        resolver = _Resolver(operator, context)
        for ref in self.from_tasks():
            resolver.check_reference(ref)
        call = {
            "func_path": self.func_path,
            "args": resolver.value(self.args),
            "kwargs": resolver.value(self.kwargs),
            "params": run_params(context),
        }
        try:
            return json.dumps(call)
        except (TypeError, ValueError) as err:
            raise TaskRunError(
                f"task {operator.task_id!r}: its arguments are not JSON data once FromTask "
                f"values and templates are filled in ({err})",
                "pass JSON values: upstream tasks must return them, templates must render them",
            ) from None


class TaskRunError(Exception):
    """A task whose definition cannot work at run time; retrying would not help."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}\n  fix: {fix}")


def run_params(context: Mapping[str, Any]) -> dict[str, Any]:
    """Return the run's params as plain JSON data: defaults overridden by the trigger's conf."""
    params = context.get("params") or {}
    dump = getattr(params, "dump", None)
    values = dump() if callable(dump) else {k: params[k] for k in params}
    try:
        return json.loads(json.dumps(values))
    except (TypeError, ValueError) as err:
        raise TaskRunError(
            f"the DAG's params are not JSON data ({err})",
            "give params JSON values: strings, numbers, booleans, None, lists, dicts",
        ) from None


class _Resolver:
    """Turns FromTask references and Jinja strings into this run's values."""

    def __init__(self, operator: BaseOperator, context: Context) -> None:
        self.operator = operator
        self.context = context
        self._jinja_env: Any = None
        self._pulled: dict[str, Any] = {}

    def check_reference(self, ref: FromTask) -> None:
        op = self.operator
        dag = op.get_dag()
        here = f"task {op.task_id!r}: {ref!r}"
        if dag is not None and ref.task not in dag.task_dict:
            near = sorted(t for t in dag.task_dict if t.rsplit(".", 1)[-1] == ref.task)
            fix = (
                f"inside a TaskGroup use the full id: FromTask({near[0]!r})"
                if near
                else "name a task of this DAG by its full id (TaskGroup prefix included)"
            )
            raise TaskRunError(f"{here} names no task of DAG {dag.dag_id!r}", fix)
        if dag is not None and ref.task not in op.get_flat_relative_ids(upstream=True):
            raise TaskRunError(
                f"{here} names a task that is not upstream of {op.task_id!r}, so its value "
                "may not exist yet",
                f"set the order in the DAG: <{ref.task} task> >> <{op.task_id} task>",
            )

    def value(self, value: Any) -> Any:
        if isinstance(value, FromTask):
            return self._pull(value)
        if isinstance(value, str):
            return self._render(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def _pull(self, ref: FromTask) -> Any:
        if ref.task not in self._pulled:
            ti = self.context["ti"]
            self._pulled[ref.task] = ti.xcom_pull(task_ids=ref.task, key=RETURN_VALUE)
        result = self._pulled[ref.task]
        if ref.key == RETURN_VALUE:
            return result
        here = f"task {self.operator.task_id!r}: {ref!r}"
        if not isinstance(result, dict):
            raise TaskRunError(
                f"{here}: {ref.task!r} returned {type(result).__name__}, not a dict",
                f"return a dict holding {ref.key!r} from {ref.task!r}, or use FromTask("
                f"{ref.task!r}) for the whole value",
            )
        if ref.key not in result:
            keys = ", ".join(repr(k) for k in result) or "none"
            raise TaskRunError(
                f"{here}: the dict {ref.task!r} returned has no key {ref.key!r} (keys: {keys})",
                f"return {ref.key!r} from {ref.task!r} or pull one of its keys",
            )
        return result[ref.key]

    def _render(self, text: str) -> Any:
        if not any(marker in text for marker in _JINJA_MARKERS):
            return text
        import jinja2

        if self._jinja_env is None:
            self._jinja_env = self.operator.get_template_env()
        # Rendered straight from the string: Airflow's render_template would treat a string
        # ending in ".json" or ".sh" (per operator) as a template file to load.
        try:
            return self._jinja_env.from_string(text).render(self.context)
        except jinja2.TemplateError as err:
            raise TaskRunError(
                f"task {self.operator.task_id!r}: the argument {text!r} is a Jinja template "
                f"that does not render ({type(err).__name__}: {err})",
                "fix the template, or wrap text that only looks like one in "
                "{% raw %}...{% endraw %}",
            ) from None
