"""gaiaflow.call.run_call and gaiaflow.transport: the parts every mode shares."""

from __future__ import annotations

import json

import pytest

from gaiaflow.call import run_call
from gaiaflow.transport import (
    CALL_PARTS_VAR,
    CALL_VAR,
    MAX_PART,
    TransportError,
    apply_defaults,
    call_environment,
    read_call,
)

PARAMS = {"Run": "a", "n": 1}


def call(func_path: str, args=(), kwargs=None, params: object = PARAMS) -> object:
    body: dict = {"func_path": func_path, "args": list(args), "kwargs": kwargs or {}}
    if params is not None:
        body["params"] = params
    return json.loads(run_call(json.dumps(body)))


@pytest.mark.parametrize(
    ("func", "args", "kwargs", "expected"),
    [
        ("no_params", [1], {}, {"x": 1}),
        ("named_params", [1], {}, {"x": 1, "params": PARAMS}),
        ("keyword_only_params", [1], {}, {"x": 1, "params": PARAMS}),
        ("var_kwargs", [1], {"y": 2}, {"x": 1, "kwargs": {"y": 2, "params": PARAMS}}),
        ("optional_params", [1], {}, {"x": 1, "params": PARAMS}),
        # A positional argument already fills the params slot: it is not passed twice.
        ("optional_params", [1, "mine"], {}, {"x": 1, "params": "mine"}),
        # An explicit params keyword wins over the run's params.
        ("named_params", [1], {"params": "explicit"}, {"x": 1, "params": "explicit"}),
        ("Model.fit", [3], {}, {"fit": 3, "params": PARAMS}),
    ],
)
def test_params_go_only_to_functions_that_accept_them(func, args, kwargs, expected) -> None:
    assert call(f"gftest.signatures:{func}", args, kwargs) == expected


def test_positional_only_params_parameter_is_not_filled_by_keyword() -> None:
    with pytest.raises(TypeError, match="missing 1 required positional"):
        call("gftest.signatures:positional_only_params")


def test_builtins_without_a_signature_get_no_params() -> None:
    assert call("builtins:len", [[1, 2, 3]]) == 3


def test_call_without_params_passes_none() -> None:
    assert call("gftest.signatures:optional_params", [1], params=None) == {"x": 1, "params": None}


def test_results_are_normalised_to_json() -> None:
    assert run_call(json.dumps({"func_path": "gftest.signatures:returns_tuple"})) == "[1, [2, [3]]]"


@pytest.mark.parametrize("func_path", ["gftest.signatures", "gftest.signatures:", ":no_params"])
def test_runtime_rejects_malformed_func_path(func_path) -> None:
    with pytest.raises(ValueError, match=r"package\.module:function"):
        run_call(json.dumps({"func_path": func_path}))


def test_missing_function_names_it() -> None:
    with pytest.raises(AttributeError, match="nope"):
        run_call(json.dumps({"func_path": "gftest.signatures:nope"}))


# --- transport --------------------------------------------------------------------------------


def test_small_call_travels_in_one_variable() -> None:
    env = call_environment('{"a": 1}')
    assert env == {CALL_VAR: '{"a": 1}'}
    assert read_call(env) == '{"a": 1}'


def test_large_call_is_split_and_joined() -> None:
    text = json.dumps({"x": "y" * (2 * MAX_PART + 5)})
    env = call_environment(text)
    assert env[CALL_PARTS_VAR] == "3"
    assert all(len(env[f"{CALL_VAR}_{n}"]) <= MAX_PART for n in (1, 2, 3))
    assert read_call(env) == text


def test_call_must_be_ascii() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        call_environment('{"a": "ü"}')


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "GAIAFLOW_CALL is not set"),
        ({CALL_PARTS_VAR: "two"}, "is not a number"),
        ({CALL_PARTS_VAR: "2", f"{CALL_VAR}_1": "{"}, r"parts \[2\] are missing"),
    ],
)
def test_broken_call_environment_is_reported(env, message) -> None:
    with pytest.raises(TransportError, match=message):
        read_call(env)


def test_defaults_apply_only_where_nothing_is_set() -> None:
    env = {
        "GAIAFLOW_DEFAULT_MLFLOW_TRACKING_URI": "http://stack:5000",
        "GAIAFLOW_DEFAULT_AWS_ACCESS_KEY_ID": "stack",
        "AWS_ACCESS_KEY_ID": "from-secret",
    }
    apply_defaults(env)
    assert env["MLFLOW_TRACKING_URI"] == "http://stack:5000"
    assert env["AWS_ACCESS_KEY_ID"] == "from-secret"
