"""A stand-in for a user's project package: the functions the test DAGs and runner tests call.

Functions that record what they received write a pickle to ``$GFTEST_PROBE_DIR/<label>.pickle``
so that a test can compare values *and* types exactly (a JSON round trip would hide a tuple
arriving for a list, or "1" for 1).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

# Every JSON type, with the strings that broke the original tool's templating.
TEXT = 'say "hi" \\ back\\slash\nnew line\ttab ünïcödé ☃ {{ not a template }} \' end'
VALUES = {
    "text": TEXT,
    "empty": "",
    "int": 42,
    "big": 2**53 + 1,
    "negative": -7,
    "float": 0.1,
    "whole_float": 2.0,
    "true": True,
    "false": False,
    "none": None,
    "list": [1, "two", [3.5, None], {"four": False}],
    "dict": {"Mixed Case": {"nested": [True, None]}, "ключ": "значение"},
    "empty_list": [],
    "empty_dict": {},
}


def _record(label: str, **data: object) -> None:
    if "GFTEST_PROBE_DIR" not in os.environ:  # a test that only checks the return value
        return
    probe_dir = Path(os.environ["GFTEST_PROBE_DIR"])
    probe_dir.mkdir(parents=True, exist_ok=True)
    (probe_dir / f"{label}.pickle").write_bytes(pickle.dumps(data))


def produce() -> dict:
    return VALUES


def produce_text() -> str:
    return TEXT


def produce_list() -> list:
    return [TEXT, 1, None]


def produce_number() -> float:
    return 0.1


def record_args(label, *args):
    _record(label, args=args)
    return len(args)


def record_kwargs(label, **kwargs):
    """Takes **kwargs, so it also receives params."""
    _record(label, kwargs=kwargs)
    return sorted(kwargs)


def record_mixed(label, first, second, *rest, params, **named):
    _record(label, first=first, second=second, rest=rest, params=params, named=named)
    return first


def with_params(label, params):
    _record(label, params=params)
    return params


def plain(label, value):
    """Accepts no params: gaiaflow must not pass them."""
    _record(label, value=value)
    return value


def report_env(label, names):
    _record(label, env={name: os.environ.get(name) for name in names})
    return {name: os.environ.get(name) for name in names}


def fail(message):
    raise RuntimeError(message)
