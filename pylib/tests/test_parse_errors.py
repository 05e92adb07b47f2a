"""Mistakes in create_task(...) fail while the DAG is parsed, naming the task and the fix."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from airflow.sdk import DAG

from gaiaflow.core.create_task import GaiaflowMode, TaskDefinitionError, create_task
from gaiaflow.core.operators import FromTask


def build(**kwargs):
    with DAG("errors", schedule=None, start_date=datetime(2025, 1, 1)):
        arguments = {"task_id": "train_model", "func_path": "pkg.mod:fn", **kwargs}
        return create_task(**arguments)


def assert_actionable(err: pytest.ExceptionInfo, *fragments: str) -> None:
    message = str(err.value)
    assert message.startswith("create_task('train_model'): "), message
    assert "\n  fix: " in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# --- mode ----------------------------------------------------------------------------------


def test_bad_mode_is_a_value_error_listing_the_modes() -> None:
    with pytest.raises(ValueError, match="not one of dev, dev_docker, prod_local, prod") as err:
        build(mode="production")
    assert isinstance(err.value, TaskDefinitionError)
    assert_actionable(err, "'production'", 'mode="dev"')


def test_bad_mode_from_the_environment_says_where_it_came_from(monkeypatch) -> None:
    monkeypatch.setenv("GAIAFLOW_MODE", "Dev")
    with pytest.raises(ValueError, match=r"\(from \$GAIAFLOW_MODE\)") as err:
        build()
    assert_actionable(err, "'Dev'", "GAIAFLOW_MODE")


def test_mode_comes_from_the_environment_then_defaults_to_dev(monkeypatch) -> None:
    assert build().gaiaflow_mode is GaiaflowMode.DEV
    monkeypatch.setenv("GAIAFLOW_MODE", "dev_docker")
    monkeypatch.setenv("GAIAFLOW_IMAGE", "img:1")
    assert build().gaiaflow_mode is GaiaflowMode.DEV_DOCKER
    # dev runs on every stack; the mode of the stack itself too.
    assert build(mode=GaiaflowMode.DEV).gaiaflow_mode is GaiaflowMode.DEV
    assert build(mode="dev_docker").gaiaflow_mode is GaiaflowMode.DEV_DOCKER
    monkeypatch.delenv("GAIAFLOW_MODE")
    # Outside a gaiaflow stack (tests, a production Airflow) any mode parses.
    assert build(mode=GaiaflowMode.PROD).gaiaflow_mode is GaiaflowMode.PROD


@pytest.mark.parametrize(
    ("stack", "pinned"),
    [
        ("dev", "dev_docker"),
        ("dev", "prod_local"),
        ("dev_docker", "prod"),
        ("prod_local", "dev_docker"),
    ],
)
def test_a_pinned_mode_the_stack_is_not_set_up_for_fails_at_parse_time(
    monkeypatch, stack, pinned
) -> None:
    monkeypatch.setenv("GAIAFLOW_MODE", stack)
    monkeypatch.setenv("GAIAFLOW_IMAGE", "img:1")
    with pytest.raises(TaskDefinitionError) as err:
        build(mode=pinned)
    assert_actionable(
        err,
        f"the DAG pins mode={pinned!r}",
        f"the gaiaflow stack runs in mode {stack!r}",
        f"gaiaflow mode set {pinned}",
        "drop mode= from create_task",
    )


# --- image ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["dev_docker", "prod_local", "prod"])
def test_missing_image_is_reported_with_the_fix(mode) -> None:
    with pytest.raises(TaskDefinitionError) as err:
        build(mode=mode)
    assert_actionable(err, f"mode {mode!r}", "no image", 'image="<name>:<tag>"', "GAIAFLOW_IMAGE")


def test_dev_needs_no_image() -> None:
    assert build(mode="dev", image=None).task_id == "train_model"


@pytest.mark.parametrize("image", ["has space:1", "  "])
def test_image_must_be_an_image_name(image) -> None:
    with pytest.raises(TaskDefinitionError) as err:
        build(mode="dev_docker", image=image)
    assert_actionable(err, "is not an image name")


# --- func_path -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func_path", "problem"),
    [
        ("pkg.mod.fn", "has no ':'"),
        ("pkg/mod.py:fn", "is not a dotted module path"),
        ("pkg..mod:fn", "is not a dotted module path"),
        (":fn", "is not a dotted module path"),
        ("pkg.class:fn", "is not a dotted module path"),
        ("pkg-name.mod:fn", "is not a dotted module path"),
        ("pkg.mod:", "is not a function name"),
        ("pkg.mod:fn()", "is not a function name"),
        ("pkg.mod:1fn", "is not a function name"),
        ("pkg:mod:fn", "more than one ':'"),
        ("", "has no ':'"),
        (None, "must be a string"),
    ],
)
def test_malformed_func_path_is_reported_with_the_expected_form(func_path, problem) -> None:
    with pytest.raises(TaskDefinitionError) as err:
        build(func_path=func_path)
    assert_actionable(err, problem, '"package.module:function"')


@pytest.mark.parametrize("func_path", ["pkg:fn", "a.b.c:fn", "pkg.mod:Model.fit", "ünï.mod:fn"])
def test_well_formed_func_paths_are_accepted(func_path) -> None:
    assert build(func_path=func_path).gaiaflow_call.func_path == func_path


# --- arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "fragments"),
    [
        ({"func_args": "abc"}, ("func_args must be a list, got str",)),
        ({"func_kwargs": ["a"]}, ("func_kwargs must be a dict, got list",)),
        ({"func_args": [{1, 2}]}, ("func_args[0] is a set",)),
        ({"func_kwargs": {"when": datetime(2025, 1, 1)}}, ("func_kwargs['when'] is a datetime",)),
        ({"func_kwargs": {"a": [1, {2: "x"}]}}, ("func_kwargs['a'][1] has the key 2",)),
        ({"func_args": [b"bytes"]}, ("func_args[0] is a bytes",)),
        ({"env_vars": ["A=1"]}, ("env_vars must be a dict",)),
        ({"env_vars": {"A": ["x"]}}, ("env_vars['A'] is a list",)),
        ({"env_vars": {"GAIAFLOW_CALL": "x"}}, ("sets GAIAFLOW_CALL, which gaiaflow sets",)),
        ({"env_vars": {"GAIAFLOW_MODE": "prod"}}, ("sets GAIAFLOW_MODE",)),
        ({"env_vars": {"A=B": "x"}}, ("has the name 'A=B'",)),
        ({"secrets": "my-secret"}, ("secrets must be a list", "secrets=['my-secret']")),
        ({"secrets": [""]}, ("not a secret name",)),
        ({"retries": -1}, ("retries must be a whole number",)),
        ({"retries": True}, ("retries must be a whole number",)),
    ],
)
def test_bad_arguments_are_reported(arguments, fragments) -> None:
    with pytest.raises(TaskDefinitionError) as err:
        build(**arguments)
    assert_actionable(err, *fragments)


def test_unknown_resource_profile_lists_the_profiles() -> None:
    with pytest.raises(TaskDefinitionError) as err:
        build(mode="prod_local", image="img:1", resource_profile="huge")
    assert_actionable(err, "'huge' does not exist", "low, medium, high, ultra")


def test_from_task_is_checked_when_written() -> None:
    with pytest.raises(ValueError, match="upstream task's id"):
        FromTask("")
    with pytest.raises(ValueError, match="key must be a non-empty string"):
        FromTask("t", key="")


def test_both_documented_and_original_argument_orders_work() -> None:
    """The original took (func_kwargs, func_args) positionally; its docs say the reverse."""
    documented = build(func_path="pkg:fn", func_args=[1], func_kwargs={"a": 2})
    with DAG("orders", schedule=None, start_date=datetime(2025, 1, 1)):
        original = create_task("t", "pkg:fn", {"a": 2}, [1])
        only_kwargs = create_task("u", "pkg:fn", {"a": 2})
    assert original.gaiaflow_call == documented.gaiaflow_call
    assert only_kwargs.gaiaflow_call.kwargs == {"a": 2}
    assert only_kwargs.gaiaflow_call.args == []


def test_errors_surface_as_dag_import_errors_naming_the_task(tmp_path: Path) -> None:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow before 3.1
        from airflow.models.dagbag import DagBag

    (tmp_path / "broken_dag.py").write_text(
        textwrap.dedent(
            """
            from datetime import datetime
            from airflow.sdk import DAG
            from gaiaflow.core.create_task import create_task

            with DAG("broken", schedule=None, start_date=datetime(2025, 1, 1)):
                create_task("evaluate", "my_package.evaluate", mode="dev")
            """
        )
    )
    bag = DagBag(dag_folder=str(tmp_path))
    assert "broken" not in bag.dags
    (message,) = bag.import_errors.values()
    assert "create_task('evaluate'): func_path 'my_package.evaluate' has no ':'" in message
    assert 'fix: write it as "package.module:function"' in message


def test_relative_task_python_is_reported(monkeypatch) -> None:
    monkeypatch.setenv("GAIAFLOW_TASK_PYTHON", "venv/bin/python")
    with pytest.raises(TaskDefinitionError) as err:
        build(mode="dev")
    assert_actionable(err, "GAIAFLOW_TASK_PYTHON='venv/bin/python' is not an absolute path")
