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
import time
from typing import TYPE_CHECKING, Any

from airflow.exceptions import AirflowException
from airflow.providers.cncf.kubernetes.kubernetes_helper_functions import PodLaunchFailedException
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
        # Why the pod could not start, once _cannot_start has found out.
        self._gaiaflow_start_failure: PodLaunchFailedException | None = None

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

    def await_pod_start(self, pod: k8s.V1Pod) -> None:
        """Fail at once, with Kubernetes' reason, when the pod cannot start.

        Kubernetes keeps a pod whose secret or config map is missing waiting as
        ``CreateContainerConfigError`` and retries for ever; the provider waits for it
        until its startup timeout (two minutes) and then blames the time. While the pod
        is pending, its containers are watched: a configuration error that lasts
        ``CONFIG_ERROR_GRACE`` seconds (a secret being created right now gets that
        long) fails the task with the reason and message, and the pod's events go to
        the task's log. Anything else is the provider's to wait for.
        """
        deadline = time.monotonic() + self.schedule_timeout_seconds + self.startup_timeout_seconds
        since: float | None = None
        while time.monotonic() < deadline:
            status = self.pod_manager.read_pod(pod).status
            if status is None or status.phase not in ("Pending", "Unknown"):
                break
            waiting = _config_error(status)
            since = None if waiting is None else (since or time.monotonic())
            if waiting is not None and time.monotonic() - since >= CONFIG_ERROR_GRACE:
                self._cannot_start(pod, waiting)
            time.sleep(1)
        super().await_pod_start(pod)

    def _cannot_start(self, pod: k8s.V1Pod, waiting: k8s.V1ContainerStateWaiting) -> None:
        if self.log_events_on_failure:
            self._read_pod_events(pod, reraise=False)
        why = f"{waiting.reason}: {waiting.message}" if waiting.message else waiting.reason
        how = "create what it names in the pod's namespace"
        if self.gaiaflow_mode == GaiaflowMode.PROD_LOCAL:
            how += " (a secret: `gaiaflow prod-local create-secret`)"
        pod_name = pod.metadata.name if pod.metadata else "?"
        self._gaiaflow_start_failure = PodLaunchFailedException(
            f"pod {pod_name} cannot start: {why}; {how}"
        )
        raise self._gaiaflow_start_failure

    def cleanup(self, *args: Any, **kwargs: Any) -> None:
        """Clean up as the provider does; a pod that never started fails with why.

        The provider's cleanup of a failed pod raises "returned a failure" with the
        whole pod object, which would bury the reason found by ``await_pod_start``.
        """
        try:
            super().cleanup(*args, **kwargs)
        except AirflowException:
            if self._gaiaflow_start_failure is None:
                raise
            raise self._gaiaflow_start_failure from None


# How long a pod may wait on a configuration error before its task fails.
CONFIG_ERROR_GRACE = 5.0

# The reasons a container waits that no waiting fixes: what it refers to is missing.
_CONFIG_ERRORS = ("CreateContainerConfigError", "CreateContainerError")


def _config_error(status: k8s.V1PodStatus) -> k8s.V1ContainerStateWaiting | None:
    for cs in (status.init_container_statuses or []) + (status.container_statuses or []):
        waiting = cs.state.waiting if cs.state else None
        if waiting is not None and waiting.reason in _CONFIG_ERRORS:
            return waiting
    return None


def _as_env_list(env_vars: Any) -> list[k8s.V1EnvVar]:
    if not env_vars:
        return []
    if isinstance(env_vars, dict):
        return [k8s.V1EnvVar(name=k, value=v) for k, v in env_vars.items()]
    return list(env_vars)
