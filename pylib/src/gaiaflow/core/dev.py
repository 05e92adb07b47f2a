"""dev mode: the function runs in the project's Python environment, next to Airflow.

ExternalPythonOperator copies the *source* of ``gaiaflow.call.run_call`` into a script and runs
it with the project's interpreter, so gaiaflow need not be installed there. The call goes in as
JSON text and the result comes back as JSON text, which this operator decodes: a downstream task
then receives exactly the types it would receive in a container or a pod.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from airflow.providers.standard.operators.python import ExternalPythonOperator

from gaiaflow.call import run_call
from gaiaflow.core import dotenv
from gaiaflow.core.base import GaiaflowOperatorMixin
from gaiaflow.core.settings import GaiaflowMode
from gaiaflow.core.task import TaskCall

if TYPE_CHECKING:
    from airflow.sdk.definitions.context import Context


class GaiaflowExternalPythonOperator(GaiaflowOperatorMixin, ExternalPythonOperator):
    """Runs one gaiaflow task with the project's Python interpreter (dev mode)."""

    def __init__(self, *, gaiaflow_call: TaskCall, **kwargs: Any) -> None:
        kwargs.setdefault("expect_airflow", False)
        kwargs.setdefault("expect_pendulum", False)
        super().__init__(python_callable=run_call, **kwargs)
        self.gaiaflow_call = gaiaflow_call
        self.gaiaflow_mode = GaiaflowMode.DEV

    def _iter_serializable_context_keys(self) -> Iterator[str]:
        # The call reaches the function as JSON (call_json), never through Airflow's context, so
        # only the plain keys are passed. Asking for more makes the operator probe the task
        # interpreter with `python -c "import pendulum"`, whose ModuleNotFoundError traceback
        # would then sit in the log of every successful task.
        yield from self.BASE_SERIALIZABLE_CONTEXT_KEYS

    def execute(self, context: Context) -> Any:
        self.op_args = ()
        self.op_kwargs = {"call_json": self.gaiaflow_call_json(context)}
        env = dict(self.env_vars or {})
        # Programs the task environment has (conda packages bring some) come first on PATH.
        env.setdefault(
            "PATH", os.path.dirname(str(self.python)) + os.pathsep + os.environ.get("PATH", "")
        )
        # The project's .env, under everything else (the inherited environment included).
        self.env_vars = {**dotenv.below({**os.environ, **env}), **env}
        result_json = super().execute(context)
        return json.loads(result_json)
