"""dev_docker mode: the function runs in the task image, as a container on the stack's network.

The container runs ``python -m gaiaflow.runner``, which writes a pickle of the result's JSON text
to ``/tmp/gaiaflow-result.pickle``; DockerOperator copies that file out of the stopped container
(``retrieve_output``) and this operator decodes the JSON. Reading a file rather than the last log
line means nothing the function prints can corrupt the result.

The stack's service endpoints are added when the task runs, from the worker's environment. The
S3 keys never enter the container's environment (``docker inspect`` shows it): the stack's
credentials file on the host is mounted read-only and named by ``AWS_SHARED_CREDENTIALS_FILE``.
Keys that are variables in the worker (an older stack) go in ``private_environment``, which
Airflow neither renders nor shows.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from airflow.providers.docker.operators.docker import DockerOperator
from docker.types import Mount

from gaiaflow.core import dotenv
from gaiaflow.core.base import GaiaflowOperatorMixin, mask_secrets
from gaiaflow.core.settings import (
    CREDENTIAL_VARS,
    DATA_MOUNTS,
    DOCKER_AWS_CREDENTIALS_PATH,
    ENV_AWS_CREDENTIALS_FILE,
    ENV_DOCKER_AWS_CREDENTIALS,
    ENV_HOST_DATA_DIR,
    GaiaflowMode,
    stack_service_env,
)
from gaiaflow.core.task import TaskCall
from gaiaflow.transport import CALL_VAR, call_environment

if TYPE_CHECKING:
    from airflow.sdk.definitions.context import Context


class GaiaflowDockerOperator(GaiaflowOperatorMixin, DockerOperator):
    """Runs one gaiaflow task in a local container (dev_docker mode)."""

    def __init__(self, *, gaiaflow_call: TaskCall, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gaiaflow_call = gaiaflow_call
        self.gaiaflow_mode = GaiaflowMode.DEV_DOCKER
        # Known only now: the full task id (with its TaskGroup prefix) and the DAG.
        labels = dict(self.labels or {})
        labels["gaiaflow.task_id"] = self.task_id
        if self.has_dag():
            labels["gaiaflow.dag_id"] = self.dag_id
        self.labels = labels

    def gaiaflow_prepare(self, context: Context) -> dict[str, str]:
        """Complete the container's environment for this run and return all of it.

        Precedence, highest first: the task's ``env_vars``, then the stack's values, then the
        project's .env (in ``private_environment``: never rendered or shown). The project's data/
        is mounted read-only where the original gaiaflow had it.
        """
        environment = {k: v for k, v in self.environment.items() if not k.startswith(CALL_VAR)}
        private = dict(self._private_environment)
        for name, value in stack_service_env(GaiaflowMode.DEV_DOCKER, os.environ).items():
            if name in environment or name in private:
                continue
            if name in CREDENTIAL_VARS:
                private[name] = value
                mask_secrets([value])
            else:
                environment[name] = value
        self._mount_stack_credentials(environment, private)
        private.update(dotenv.below({**environment, **private}))
        environment.update(call_environment(self.gaiaflow_call_json(context)))
        self._mount_data(os.environ.get(ENV_HOST_DATA_DIR))
        self.environment = environment
        self._private_environment = private
        return {**environment, **private}

    def _mount_stack_credentials(
        self, environment: dict[str, str], private: dict[str, str]
    ) -> None:
        """Mount the stack's credentials file, unless the task has keys or a file of its own."""
        host_file = os.environ.get(ENV_DOCKER_AWS_CREDENTIALS)
        own = ENV_AWS_CREDENTIALS_FILE in environment or any(
            name in environment or name in private for name in CREDENTIAL_VARS
        )
        if not host_file or own:
            return
        environment[ENV_AWS_CREDENTIALS_FILE] = DOCKER_AWS_CREDENTIALS_PATH
        self._mount_read_only(host_file, (DOCKER_AWS_CREDENTIALS_PATH,))

    def _mount_data(self, host_dir: str | None) -> None:
        if host_dir:
            self._mount_read_only(host_dir, DATA_MOUNTS)

    def _mount_read_only(self, source: str, targets: tuple[str, ...]) -> None:
        """Bind source read-only at each target the task does not mount already (a retry
        mounts nothing twice)."""
        mounts = list(self.mounts or [])
        taken = {m.get("Target") for m in mounts}
        for target in targets:
            if target not in taken:
                mounts.append(Mount(target=target, source=source, type="bind", read_only=True))
        self.mounts = mounts

    def execute(self, context: Context) -> Any:
        self.gaiaflow_prepare(context)
        result_json = super().execute(context)
        if not isinstance(result_json, str):
            raise RuntimeError(
                f"task {self.task_id!r}: the container exited without writing its result to "
                f"{self.retrieve_output_path}; is gaiaflow's runner the image's command?"
            )
        return json.loads(result_json)
