"""What a task does when it starts: FromTask values, templates and params, and its errors.

Definition errors raise AirflowFailException, which fails the task without using its retries:
the same mistake would fail every try.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from airflow.sdk import DAG, TaskGroup

from gaiaflow.core.create_task import create_task
from gaiaflow.core.operators import FromTask
from support import FakeTaskInstance, assert_same, fake_context


def fail_exception() -> type[Exception]:
    try:
        from airflow.sdk.exceptions import AirflowFailException
    except ImportError:  # pragma: no cover - Airflow 3.0
        from airflow.exceptions import AirflowFailException
    return AirflowFailException


def build(*arguments: object, upstream: bool = True, **kwargs):
    """``grp.down`` calls pkg:fn with ``arguments``; ``grp.up`` is upstream of it."""
    with DAG("resolve", schedule=None, start_date=datetime(2025, 1, 1), **kwargs), TaskGroup("grp"):
        up = create_task("up", "pkg:up")
        down = create_task("down", "pkg:fn", func_args=list(arguments))
        if upstream:
            up >> down
    return down


def call_of(task, results=None, params=None) -> dict:
    return json.loads(task.gaiaflow_call_json(fake_context(results, params)))


def test_each_upstream_result_is_pulled_once() -> None:
    task = build(FromTask("grp.up", key="a"), FromTask("grp.up", key="b"), FromTask("grp.up"))
    context = fake_context({"grp.up": {"a": 1, "b": [2]}})
    call = json.loads(task.gaiaflow_call_json(context))
    assert_same(call["args"], [1, [2], {"a": 1, "b": [2]}])
    ti = context["ti"]
    assert isinstance(ti, FakeTaskInstance)
    assert ti.pulls == [("grp.up", "return_value")]


def test_templates_render_with_the_run_context_but_values_do_not() -> None:
    task = build(
        "{{ params.Name }}-{{ params.N + 1 }}",
        "no template",
        FromTask("grp.up"),
        params={"Name": "x", "N": 1},
    )
    call = call_of(task, {"grp.up": "{{ params.Name }}"}, {"Name": "run", "N": 2})
    assert_same(call["args"], ["run-3", "no template", "{{ params.Name }}"])


def test_a_string_like_a_template_file_name_is_not_loaded_as_a_file() -> None:
    """KubernetesPodOperator treats *.json strings in its templated fields as files."""
    with DAG("ext", schedule=None, start_date=datetime(2025, 1, 1)):
        task = create_task(
            "t", "pkg:fn", func_args=["config.json", "{{ 'x' }}.yaml"], image="i:1", mode="prod"
        )
    assert call_of(task)["args"] == ["config.json", "x.yaml"]


@pytest.mark.parametrize(
    ("reference", "results", "fragments"),
    [
        (
            FromTask("up"),
            {},
            (
                "FromTask('up') names no task of DAG 'resolve'",
                "use the full id: FromTask('grp.up')",
            ),
        ),
        (
            FromTask("elsewhere"),
            {},
            ("names no task", "name a task of this DAG by its full id"),
        ),
        (
            FromTask("grp.up", key="path"),
            {"grp.up": ["a", "list"]},
            ("'grp.up' returned list, not a dict", "return a dict holding 'path'"),
        ),
        (
            FromTask("grp.up", key="path"),
            {"grp.up": {"other": 1, "more": 2}},
            ("has no key 'path' (keys: 'other', 'more')",),
        ),
    ],
)
def test_reference_errors_fail_without_retries(reference, results, fragments) -> None:
    task = build(reference)
    with pytest.raises(fail_exception()) as err:
        task.gaiaflow_call_json(fake_context(results))
    message = str(err.value)
    assert message.startswith("task 'grp.down': "), message
    assert "\n  fix: " in message
    for fragment in fragments:
        assert fragment in message, message


def test_a_task_that_is_not_upstream_is_refused() -> None:
    task = build(FromTask("grp.up"), upstream=False)
    with pytest.raises(fail_exception(), match=r"not upstream of 'grp\.down'") as err:
        task.gaiaflow_call_json(fake_context({"grp.up": 1}))
    assert "grp.up task> >> <grp.down task>" in str(err.value)


def test_a_broken_template_fails_without_retries() -> None:
    task = build("{{ unclosed")
    with pytest.raises(fail_exception(), match="does not render") as err:
        task.gaiaflow_call_json(fake_context())
    assert "{% raw %}" in str(err.value)


def test_upstream_values_that_are_not_json_fail_without_retries() -> None:
    task = build(FromTask("grp.up"))
    with pytest.raises(fail_exception(), match="not JSON data"):
        task.gaiaflow_call_json(fake_context({"grp.up": {1, 2}}))


def test_params_that_are_not_json_fail_without_retries() -> None:
    task = build()
    with pytest.raises(fail_exception(), match="params are not JSON data"):
        task.gaiaflow_call_json(fake_context(params={"when": datetime(2025, 1, 1)}))
