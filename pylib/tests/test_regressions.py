"""One regression test for each defect of the original tool's task library (its §8).

End-to-end proofs live in test_dag_test_dev.py (dag.test) and test_runner.py (the runner with
each operator's environment); these tests pin each defect at the smallest scale.
"""

from __future__ import annotations

import copy
import json
import warnings
from datetime import datetime

import pytest
from airflow.sdk import DAG

from gaiaflow.core.create_task import TaskDefinitionError, create_task
from gaiaflow.core.operators import FromTask
from gaiaflow.transport import read_call
from gftest import TEXT, VALUES
from support import assert_same, fake_context

MODES = ["dev", "dev_docker", "prod_local", "prod"]


def dag(**kwargs) -> DAG:
    return DAG("regressions", schedule=None, start_date=datetime(2025, 1, 1), **kwargs)


def resolved(task, results, params=None) -> dict:
    return json.loads(task.gaiaflow_call.resolve(task, fake_context(results, params)))


def with_upstream(mode: str, **kwargs):
    with dag(params=kwargs.pop("dag_params", {})):
        up = create_task("up", "pkg:up", image="img:1", mode=mode)
        task = create_task("down", "pkg:down", image="img:1", mode=mode, **kwargs)
        up >> task
    return task


@pytest.mark.parametrize("mode", MODES)
def test_positional_from_task_does_not_replace_a_literal(mode) -> None:
    task = with_upstream(
        mode, func_args=[FromTask("up"), "kept", FromTask("up", key="int"), "also kept"]
    )
    call = resolved(task, {"up": VALUES})
    assert_same(call["args"], [VALUES, "kept", 42, "also kept"])


@pytest.mark.parametrize("mode", MODES)
def test_xcom_values_are_json_values_not_text_pasted_into_json(mode) -> None:
    task = with_upstream(
        mode,
        func_args=[FromTask("up", key="text")],
        func_kwargs={"whole": FromTask("up"), "dict": FromTask("up", key="dict")},
    )
    call = resolved(task, {"up": VALUES})
    assert_same(call["args"], [TEXT])
    assert_same(call["kwargs"], {"whole": VALUES, "dict": VALUES["dict"]})


@pytest.mark.parametrize("mode", MODES)
def test_params_keep_spelling_and_types_and_come_from_the_run(mode) -> None:
    task = with_upstream(mode, dag_params={"learningRate": 0.1, "Layers": [64], "Flag": False})
    runtime = {"learningRate": 0.5, "Layers": [64, 32], "Flag": True}  # a trigger's conf
    assert_same(resolved(task, {}, runtime)["params"], runtime)


@pytest.mark.parametrize("mode", MODES)
def test_env_vars_dict_is_never_modified(mode, stack_env) -> None:
    shared = {"MLFLOW_TRACKING_URI": "http://mine:5000", "AWS_ACCESS_KEY_ID": "k", "X": "1"}
    before = copy.deepcopy(shared)
    with dag():
        first = create_task("a", "pkg:fn", image="img:1", mode=mode, env_vars=shared)
        second = create_task("b", "pkg:fn", image="img:1", mode=mode, env_vars=shared)
    for task in (first, second):
        if mode != "dev":
            task.gaiaflow_prepare(fake_context())
    assert shared == before
    # And both tasks still got all of it.
    for task in (first, second):
        env = task.env_vars if mode in ("dev", "prod_local", "prod") else task.environment
        names = {e.name for e in env} if isinstance(env, list) else set(env)
        assert set(before) <= names


def test_dev_docker_passes_retries_and_params() -> None:
    task = with_upstream("dev_docker", retries=7, dag_params={"Epochs": 3})
    assert task.retries == 7
    full = task.gaiaflow_prepare(fake_context(params={"Epochs": 3}))
    assert json.loads(read_call(full))["params"] == {"Epochs": 3}


def test_dev_docker_without_image_is_a_clear_error_not_attribute_error() -> None:
    with pytest.raises(TaskDefinitionError, match="no image was given"), dag():
        create_task("t", "pkg:fn", image=None, mode="dev_docker")


def test_prod_pods_get_no_minikube_addresses_or_local_credentials(stack_env) -> None:
    with dag():
        task = create_task("t", "pkg:fn", image="registry/img:1", mode="prod")
    env = {e.name: e.value for e in task.gaiaflow_prepare(fake_context())}
    leaked = [v for v in stack_env.values() if v in env.values()]
    assert leaked == []
    assert not any(name.startswith(("MLFLOW_", "AWS_", "GAIAFLOW_DEFAULT_")) for name in env)


def test_prod_local_users_can_override_the_mlflow_address(stack_env) -> None:
    with dag():
        task = create_task(
            "t",
            "pkg:fn",
            image="img:1",
            mode="prod_local",
            env_vars={"MLFLOW_TRACKING_URI": "http://my-mlflow:5000"},
        )
    env = {e.name: e.value for e in task.gaiaflow_prepare(fake_context())}
    assert env["MLFLOW_TRACKING_URI"] == "http://my-mlflow:5000"
    # The stack's address is only a default, which the runner applies when nothing else is set.
    assert env["GAIAFLOW_DEFAULT_MLFLOW_TRACKING_URI"] == "http://host.minikube.internal:5000"


@pytest.mark.parametrize("mode", ["prod_local", "prod"])
def test_kubernetes_pod_operator_gets_no_deprecated_argument(mode) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with dag():
            task = create_task("t", "pkg:fn", image="img:1", mode=mode)
    # Newer providers accept some deprecated arguments silently: check what was passed.
    passed = set(task._BaseOperator__init_kwargs)
    assert not {"is_delete_operator_pod", "reattach_on_restart", "resources"} & passed
    assert task.on_finish_action.value == "delete_pod"
