"""Functions with every kind of signature, to check when params are passed."""

from __future__ import annotations


def no_params(x):
    return {"x": x}


def named_params(x, params):
    return {"x": x, "params": params}


def keyword_only_params(x, *, params):
    return {"x": x, "params": params}


def var_kwargs(x, **kwargs):
    return {"x": x, "kwargs": kwargs}


def positional_only_params(params, /):
    return {"positional": params}


def optional_params(x, params=None):
    return {"x": x, "params": params}


def returns_tuple():
    return (1, [2, (3,)])


class Model:
    @staticmethod
    def fit(x, params=None):
        return {"fit": x, "params": params}
