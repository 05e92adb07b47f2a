"""``python -m gaiaflow.runner``: run one gaiaflow task inside a task image.

The operators of the dev_docker, prod_local and prod modes start a container with this module as
its command. It reads the call from the environment (see ``gaiaflow.transport``), calls the
function with ``gaiaflow.call.run_call`` and hands the result back the way the operator reads it:

- ``GAIAFLOW_RESULT_PICKLE=<path>``: a pickle of the result's JSON text (DockerOperator with
  ``retrieve_output``);
- ``GAIAFLOW_RESULT_JSON=<path>``: the result as a JSON file (KubernetesPodOperator's XCom
  sidecar reads ``/airflow/xcom/return.json``).

Exit status: 0 on success, 1 when the function raised (its traceback goes to stderr), 2 when the
environment holds no usable call. Airflow is not needed here.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import MutableMapping, Sequence
from pathlib import Path

from gaiaflow.call import run_call
from gaiaflow.transport import (
    RESULT_JSON_VAR,
    RESULT_PICKLE_VAR,
    TransportError,
    apply_defaults,
    read_call,
)

# Protocol 4 reads on every Python that Airflow 3 runs on, whatever Python the image has.
_PICKLE_PROTOCOL = 4


def hand_back(result_json: str, environ: MutableMapping[str, str]) -> list[Path]:
    """Write ``result_json`` wherever the environment asks for it; return the files written."""
    written = []
    if pickle_path := environ.get(RESULT_PICKLE_VAR):
        path = Path(pickle_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(result_json, protocol=_PICKLE_PROTOCOL))
        written.append(path)
    if json_path := environ.get(RESULT_JSON_VAR):
        path = Path(json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result_json, encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None, environ: MutableMapping[str, str] | None = None) -> int:
    """Run the call described by ``environ`` (default: the process environment)."""
    del argv  # nothing is read from the command line: secrets must never appear there
    env = os.environ if environ is None else environ
    try:
        call_json = read_call(env)
    except TransportError as err:
        print(f"gaiaflow runner: {err}", file=sys.stderr)
        print(
            "gaiaflow runner: start tasks with create_task(...) in a DAG; "
            "this command is not meant to be run by hand",
            file=sys.stderr,
        )
        return 2
    # Before the user's module is imported, so module-level clients see the final values.
    apply_defaults(env)
    try:
        result_json = run_call(call_json)
    except Exception:
        traceback.print_exc()
        return 1
    for path in hand_back(result_json, env):
        print(f"gaiaflow runner: result written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
