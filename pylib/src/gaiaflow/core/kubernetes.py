"""prod_local and prod modes: the function runs in the task image, as a Kubernetes pod.

The pod runs ``python -m gaiaflow.runner``, which writes the result as JSON to
``/airflow/xcom/return.json``; KubernetesPodOperator's XCom sidecar reads it
(``do_xcom_push=True``).

prod_local adds the stack's endpoints and credentials as ``GAIAFLOW_DEFAULT_<NAME>`` variables,
which the runner applies only where neither ``env_vars`` nor a secret (``env_from``) set
``<NAME>``: in Kubernetes a plain ``env`` entry would otherwise beat the user's secret.
The project's .env (see gaiaflow.core.dotenv) reaches prod_local pods the same way, below the
stack's values. prod adds nothing from the machine that parses the DAG.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

from gaiaflow.core import dotenv
from gaiaflow.core.base import GaiaflowOperatorMixin, mask_secrets
from gaiaflow.core.settings import CREDENTIAL_VARS, GaiaflowMode, stack_service_env
from gaiaflow.transport import CALL_VAR, DEFAULT_PREFIX, call_environment

if TYPE_CHECKING:
    from airflow.sdk.definitions.context import Context

    from gaiaflow.core.task import TaskCall


class GaiaflowKubernetesPodOperator(GaiaflowOperatorMixin, KubernetesPodOperator):
    """Runs one gaiaflow task as a pod (prod_local: Minikube; prod: in-cluster)."""

    def __init__(self, *, gaiaflow_call: TaskCall, gaiaflow_mode: GaiaflowMode, **kwargs: Any):
        super().__init__(**kwargs)
        self.gaiaflow_call = gaiaflow_call
        self.gaiaflow_mode = gaiaflow_mode

    def gaiaflow_prepare(self, context: Context) -> list[k8s.V1EnvVar]:
        """Complete the pod's ``env`` for this run and return it."""
        current = _as_env_list(self.env_vars)
        added: dict[str, str] = {}
        stack = stack_service_env(self.gaiaflow_mode, os.environ)
        mask_secrets(v for k, v in stack.items() if k in CREDENTIAL_VARS)
        for name, value in stack.items():
            added[DEFAULT_PREFIX + name] = value
        if self.gaiaflow_mode is GaiaflowMode.PROD_LOCAL:
            # The project's .env, below the stack's values (prod takes nothing from this machine).
            taken = {e.name: e.value for e in current if not e.name.startswith(DEFAULT_PREFIX)}
            for name, value in dotenv.below({**taken, **stack}).items():
                added[DEFAULT_PREFIX + name] = value
        added.update(call_environment(self.gaiaflow_call_json(context)))
        kept = [
            e
            for e in current
            if e.name not in added
            and not e.name.startswith(CALL_VAR)
            and not e.name.startswith(DEFAULT_PREFIX)
        ]
        self.env_vars = kept + [k8s.V1EnvVar(name=k, value=v) for k, v in added.items()]
        return self.env_vars

    def execute(self, context: Context) -> Any:
        self.gaiaflow_prepare(context)
        return super().execute(context)


def _as_env_list(env_vars: Any) -> list[k8s.V1EnvVar]:
    if not env_vars:
        return []
    if isinstance(env_vars, dict):
        return [k8s.V1EnvVar(name=k, value=v) for k, v in env_vars.items()]
    return list(env_vars)
