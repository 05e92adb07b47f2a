"""How a task's call reaches ``python -m gaiaflow.runner`` and how its result comes back.

This is the contract between the operators (which run in Airflow) and the runner (which runs in
task images, where Airflow is absent). Everything travels in environment variables, never on a
command line:

- ``GAIAFLOW_CALL``: the call as JSON (see ``gaiaflow.call.run_call``). A call larger than one
  environment variable can safely hold is split over ``GAIAFLOW_CALL_1`` … ``GAIAFLOW_CALL_<n>``
  with ``GAIAFLOW_CALL_PARTS=<n>``.
- ``GAIAFLOW_RESULT_PICKLE``: where to write the result for DockerOperator, which copies that
  file out of the stopped container and unpickles it (``retrieve_output``).
- ``GAIAFLOW_RESULT_JSON``: where to write the result for KubernetesPodOperator, whose XCom
  sidecar reads ``/airflow/xcom/return.json``.
- ``GAIAFLOW_DEFAULT_<NAME>``: a value for ``<NAME>`` that applies only when the task's
  environment does not set ``<NAME>`` itself (prod_local uses it so that a Kubernetes secret or
  ``env_vars`` can override the stack's service endpoints and credentials).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

CALL_VAR = "GAIAFLOW_CALL"
CALL_PARTS_VAR = "GAIAFLOW_CALL_PARTS"
RESULT_PICKLE_VAR = "GAIAFLOW_RESULT_PICKLE"
RESULT_JSON_VAR = "GAIAFLOW_RESULT_JSON"
DEFAULT_PREFIX = "GAIAFLOW_DEFAULT_"

# Where each operator expects the result inside the task's container.
DOCKER_RESULT_PATH = "/tmp/gaiaflow-result.pickle"
KUBERNETES_RESULT_PATH = "/airflow/xcom/return.json"

# Linux refuses to start a process whose single environment string exceeds 128 KiB
# (MAX_ARG_STRLEN); stay well below it. The call is ASCII (JSON with ensure_ascii), so
# characters and bytes agree.
MAX_PART = 100_000


class TransportError(ValueError):
    """The environment does not hold a usable call."""


def call_environment(call_json: str) -> dict[str, str]:
    """Return the environment variables that carry ``call_json`` to the runner."""
    if not call_json.isascii():
        raise ValueError("the call must be ASCII JSON (json.dumps with ensure_ascii=True)")
    if len(call_json) <= MAX_PART:
        return {CALL_VAR: call_json}
    parts = [call_json[i : i + MAX_PART] for i in range(0, len(call_json), MAX_PART)]
    env = {CALL_PARTS_VAR: str(len(parts))}
    for number, part in enumerate(parts, start=1):
        env[f"{CALL_VAR}_{number}"] = part
    return env


def read_call(environ: Mapping[str, str]) -> str:
    """Return the call JSON from an environment written by :func:`call_environment`."""
    if CALL_VAR in environ:
        return environ[CALL_VAR]
    count_text = environ.get(CALL_PARTS_VAR)
    if count_text is None:
        raise TransportError(
            f"{CALL_VAR} is not set: this container was not started by a gaiaflow task"
        )
    try:
        count = int(count_text)
    except ValueError:
        raise TransportError(f"{CALL_PARTS_VAR}={count_text!r} is not a number") from None
    missing = [n for n in range(1, count + 1) if f"{CALL_VAR}_{n}" not in environ]
    if count < 1 or missing:
        raise TransportError(f"{CALL_PARTS_VAR}={count} but parts {missing} are missing")
    return "".join(environ[f"{CALL_VAR}_{n}"] for n in range(1, count + 1))


def apply_defaults(environ: MutableMapping[str, str]) -> None:
    """Set ``NAME`` from ``GAIAFLOW_DEFAULT_NAME`` wherever ``NAME`` is not already set."""
    for key, value in list(environ.items()):
        if key.startswith(DEFAULT_PREFIX) and len(key) > len(DEFAULT_PREFIX):
            environ.setdefault(key[len(DEFAULT_PREFIX) :], value)
