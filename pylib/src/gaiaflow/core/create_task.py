"""``create_task``: one task definition that runs in any of the four modes.

    from gaiaflow.core.create_task import create_task
    from gaiaflow.core.operators import FromTask

Every check happens here, while Airflow parses the DAG file, and every error names the task and
says how to fix it. The operator for the chosen mode (and its provider) is imported only then.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gaiaflow.core.deployment import Deployment
from gaiaflow.core.deployment import find as find_deployment
from gaiaflow.core.resources import DEFAULT_RESOURCE_PROFILE, RESOURCE_PROFILES, choose_profile
from gaiaflow.core.settings import (
    ENV_DOCKER_LABELS,
    ENV_DOCKER_NETWORK,
    ENV_IMAGE,
    ENV_K8S_NAMESPACE,
    ENV_KUBECONFIG,
    ENV_MODE,
    ENV_TASK_PYTHON,
    MODES,
    GaiaflowMode,
)
from gaiaflow.core.task import TaskCall, TaskDefinitionError, task_error
from gaiaflow.transport import (
    DOCKER_RESULT_PATH,
    KUBERNETES_RESULT_PATH,
    RESULT_JSON_VAR,
    RESULT_PICKLE_VAR,
)

if TYPE_CHECKING:
    from airflow.sdk import DAG, BaseOperator

__all__ = ["MODES", "GaiaflowMode", "TaskDefinitionError", "create_task"]

RUNNER_COMMAND = ["python", "-m", "gaiaflow.runner"]
# Names gaiaflow sets for its runner; env_vars may not use them.
_RESERVED_PREFIXES = ("GAIAFLOW_CALL", "GAIAFLOW_RESULT_", "GAIAFLOW_DEFAULT_")
_RESERVED_NAMES = (ENV_MODE,)


def create_task(
    task_id: str,
    func_path: str,
    func_args: Sequence[Any] | None = None,
    func_kwargs: Mapping[str, Any] | None = None,
    image: str | None = None,
    mode: str | GaiaflowMode | None = None,
    secrets: Sequence[str] | None = None,
    env_vars: Mapping[str, str] | None = None,
    retries: int = 3,
    dag: DAG | None = None,
    *,
    resource_profile: str | None = None,
) -> BaseOperator:
    """Create an Airflow task that calls ``func_path`` with the given arguments.

    :param task_id: the task's id (inside a TaskGroup Airflow prefixes the group's id).
    :param func_path: ``"package.module:function"``.
    :param func_args: positional arguments: JSON values and ``FromTask(...)``, in any order.
    :param func_kwargs: keyword arguments: JSON values and ``FromTask(...)``.
    :param image: the task image (dev_docker, prod_local, prod); default ``$GAIAFLOW_IMAGE``,
        and in prod the image ``gaiaflow prod dockerize`` pushed, pinned by digest (see
        ``gaiaflow.core.deployment``). Ignored in dev.
    :param mode: ``dev``, ``dev_docker``, ``prod_local`` or ``prod``; default ``$GAIAFLOW_MODE``,
        else ``dev``.
    :param secrets: names of Kubernetes secrets whose keys become the pod's environment
        (prod_local, prod).
    :param env_vars: environment variables for the task; they override the stack's values
        (MLFLOW_TRACKING_URI, AWS keys, ...). The dict is copied, never changed.
    :param retries: how often Airflow retries the task, in every mode.
    :param dag: the DAG to add the task to (needed only outside a ``with DAG(...)`` block);
        the DAG's params reach the function in every mode.
    :param resource_profile: CPU/memory profile for pods (see ``gaiaflow.core.resources``).
    :returns: the Airflow operator, ready for ``>>``.
    """
    if not isinstance(task_id, str) or not task_id:
        raise TaskDefinitionError(
            f"create_task: task_id must be a non-empty string, got {task_id!r}"
        )
    environ = os.environ
    # The original implementation took (func_kwargs, func_args) positionally while its
    # documentation lists (func_args, func_kwargs). A dict cannot be positional arguments and a
    # list cannot be keyword arguments, so a DAG written against either order still works.
    if isinstance(func_args, Mapping) and not isinstance(func_kwargs, Mapping):
        func_args, func_kwargs = func_kwargs, func_args
    call = TaskCall.build(task_id, func_path, func_args, func_kwargs)
    chosen = _resolve_mode(task_id, mode, environ)
    _check_stack_is_set_up_for(task_id, chosen, environ)
    user_env = _check_env_vars(task_id, env_vars)
    secret_names = _check_secrets(task_id, secrets)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise task_error(
            task_id, f"retries must be a whole number >= 0, got {retries!r}", "retries=3"
        )
    common: dict[str, Any] = {"task_id": task_id, "retries": retries}
    if dag is not None:
        common["dag"] = dag

    if chosen is GaiaflowMode.DEV:
        return _dev_task(call, user_env, common, environ)
    deployment = None
    if chosen is GaiaflowMode.PROD:
        deployment = find_deployment(call.func_path.split(":")[0].split(".")[0])
        if deployment is not None and not image and not environ.get(ENV_IMAGE):
            image = deployment.pinned
    image_name = _resolve_image(task_id, chosen, image, environ)
    if chosen is GaiaflowMode.DEV_DOCKER:
        return _docker_task(task_id, call, image_name, user_env, common, environ)
    profile = choose_profile(resource_profile, getattr(dag, "params", None), environ)
    return _kubernetes_task(
        task_id,
        chosen,
        call,
        image_name,
        user_env,
        secret_names,
        profile,
        common,
        environ,
        deployment,
    )


def _resolve_mode(
    task_id: str, mode: str | GaiaflowMode | None, environ: Mapping[str, str]
) -> GaiaflowMode:
    source = ""
    if mode is None:
        mode = environ.get(ENV_MODE) or GaiaflowMode.DEV.value
        source = f" (from ${ENV_MODE})" if environ.get(ENV_MODE) else ""
    try:
        return GaiaflowMode(mode)
    except ValueError:
        raise task_error(
            task_id,
            f"mode {mode!r}{source} is not one of {', '.join(MODES)}",
            f'pass mode="dev" (or {", ".join(repr(m) for m in MODES[1:])}), '
            f"or set {ENV_MODE} to one of them",
        ) from None


# Why a gaiaflow stack in another mode cannot run a task of this mode.
_NOT_SET_UP = {
    GaiaflowMode.DEV_DOCKER: "Airflow's containers get the Docker socket only in dev_docker",
    GaiaflowMode.PROD_LOCAL: "Airflow's containers reach the Minikube cluster only in prod_local",
    GaiaflowMode.PROD: "the local stack's Airflow does not run inside a Kubernetes cluster",
}


def _check_stack_is_set_up_for(
    task_id: str, mode: GaiaflowMode, environ: Mapping[str, str]
) -> None:
    """Fail at parse time when a DAG pins a mode the gaiaflow stack is not set up for.

    A task pinned to dev_docker on a dev stack would otherwise fail only when it runs, after its
    retries. dev runs on every stack (the task environment is always there). Outside a gaiaflow
    stack ($GAIAFLOW_MODE unset: a laptop's tests, a production Airflow) nothing is checked.
    """
    stack = environ.get(ENV_MODE)
    if not stack or mode is GaiaflowMode.DEV or mode.value == stack or stack not in MODES:
        return
    raise task_error(
        task_id,
        f"the DAG pins mode={mode.value!r}, but the gaiaflow stack runs in mode {stack!r}, "
        f"which is not set up for it ({_NOT_SET_UP[mode]})",
        f"run `gaiaflow mode set {mode.value}` to move the project to {mode.value}, or drop "
        "mode= from create_task so the task follows the project's mode",
    )


def _resolve_image(
    task_id: str, mode: GaiaflowMode, image: str | None, environ: Mapping[str, str]
) -> str:
    if image is None or image == "":
        image = environ.get(ENV_IMAGE) or None
    if image is None:
        raise task_error(
            task_id,
            f"mode {mode.value!r} runs the task in a container image, but no image was given "
            f"and {ENV_IMAGE} is not set",
            "pass image=\"<name>:<tag>\", or build the project's image with gaiaflow's "
            f"dockerize command (the stack then sets {ENV_IMAGE})",
        )
    if not isinstance(image, str) or not image.strip() or any(c.isspace() for c in image):
        raise task_error(task_id, f"image {image!r} is not an image name", 'image="<name>:<tag>"')
    return image


def _check_env_vars(task_id: str, env_vars: Mapping[str, Any] | None) -> dict[str, str]:
    if env_vars is None:
        return {}
    if not isinstance(env_vars, Mapping):
        raise task_error(
            task_id,
            f"env_vars must be a dict, got {type(env_vars).__name__}",
            'env_vars={"NAME": "value"}',
        )
    copied: dict[str, str] = {}
    for name, value in env_vars.items():
        if not isinstance(name, str) or not name or "=" in name:
            raise task_error(
                task_id, f"env_vars has the name {name!r}", "use non-empty names without '='"
            )
        if name in _RESERVED_NAMES or name.startswith(_RESERVED_PREFIXES):
            raise task_error(
                task_id,
                f"env_vars sets {name}, which gaiaflow sets itself",
                "choose another name; the mode is create_task(mode=...)",
            )
        if isinstance(value, str):
            copied[name] = value
        elif isinstance(value, (bool, int, float)):
            copied[name] = json.dumps(value) if isinstance(value, bool) else str(value)
        else:
            raise task_error(
                task_id,
                f"env_vars[{name!r}] is a {type(value).__name__}; environment values are text",
                f'env_vars={{"{name}": "..."}}',
            )
    return copied


def _check_secrets(task_id: str, secrets: Sequence[str] | None) -> list[str]:
    if secrets is None:
        return []
    if isinstance(secrets, str) or not isinstance(secrets, Sequence):
        raise task_error(
            task_id,
            f"secrets must be a list of secret names, got {secrets!r}",
            f"secrets=[{secrets!r}]" if isinstance(secrets, str) else 'secrets=["my-secret"]',
        )
    for name in secrets:
        if not isinstance(name, str) or not name:
            raise task_error(
                task_id, f"secrets holds {name!r}, not a secret name", 'secrets=["my-secret"]'
            )
    return list(secrets)


def _dev_task(
    call: TaskCall, user_env: dict[str, str], common: dict[str, Any], environ: Mapping[str, str]
) -> BaseOperator:
    python = environ.get(ENV_TASK_PYTHON) or sys.executable
    if not os.path.isabs(python):
        raise task_error(
            common["task_id"],
            f"{ENV_TASK_PYTHON}={python!r} is not an absolute path to a Python interpreter",
            f"set {ENV_TASK_PYTHON} to the project's interpreter, e.g. /opt/venv/bin/python, "
            "or unset it to use the interpreter running Airflow",
        )
    from gaiaflow.core.dev import GaiaflowExternalPythonOperator

    return GaiaflowExternalPythonOperator(
        gaiaflow_call=call,
        python=python,
        env_vars={ENV_MODE: GaiaflowMode.DEV.value, **user_env},
        inherit_env=True,
        **common,
    )


def _docker_task(
    task_id: str,
    call: TaskCall,
    image: str,
    user_env: dict[str, str],
    common: dict[str, Any],
    environ: Mapping[str, str],
) -> BaseOperator:
    from gaiaflow.core.dev_docker import GaiaflowDockerOperator

    return GaiaflowDockerOperator(
        gaiaflow_call=call,
        image=image,
        command=list(RUNNER_COMMAND),
        environment={
            ENV_MODE: GaiaflowMode.DEV_DOCKER.value,
            RESULT_PICKLE_VAR: DOCKER_RESULT_PATH,
            **user_env,
        },
        network_mode=environ.get(ENV_DOCKER_NETWORK) or None,
        api_version="auto",
        auto_remove="success",
        mount_tmp_dir=False,
        do_xcom_push=True,
        xcom_all=False,
        retrieve_output=True,
        retrieve_output_path=DOCKER_RESULT_PATH,
        labels=_docker_labels(task_id, environ),
        **common,
    )


def _docker_labels(task_id: str, environ: Mapping[str, str]) -> dict[str, str]:
    raw = environ.get(ENV_DOCKER_LABELS)
    if not raw:
        return {}
    try:
        labels = json.loads(raw)
    except ValueError:
        labels = None
    if not isinstance(labels, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
    ):
        raise task_error(
            task_id,
            f"{ENV_DOCKER_LABELS} is not a JSON object of string labels: {raw!r}",
            f"restart the stack with gaiaflow, which sets {ENV_DOCKER_LABELS}",
        )
    return labels


def _kubernetes_task(
    task_id: str,
    mode: GaiaflowMode,
    call: TaskCall,
    image: str,
    user_env: dict[str, str],
    secret_names: list[str],
    profile: str | None,
    common: dict[str, Any],
    environ: Mapping[str, str],
    deployment: Deployment | None = None,
) -> BaseOperator:
    profile_name = profile or DEFAULT_RESOURCE_PROFILE
    if profile_name not in RESOURCE_PROFILES:
        raise task_error(
            task_id,
            f"resource profile {profile_name!r} does not exist",
            f"use one of {', '.join(RESOURCE_PROFILES)}",
        )
    from kubernetes.client import models as k8s

    from gaiaflow.core.kubernetes import GaiaflowKubernetesPodOperator

    spec = RESOURCE_PROFILES[profile_name]
    local = mode is GaiaflowMode.PROD_LOCAL
    return GaiaflowKubernetesPodOperator(
        gaiaflow_call=call,
        gaiaflow_mode=mode,
        image=image,
        arguments=list(RUNNER_COMMAND),
        env_vars={ENV_MODE: mode.value, RESULT_JSON_VAR: KUBERNETES_RESULT_PATH, **user_env},
        env_from=[
            k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=name))
            for name in secret_names
        ],
        namespace=environ.get(ENV_K8S_NAMESPACE)
        or ("default" if local else (deployment.namespace if deployment else None)),
        image_pull_secrets=(
            [k8s.V1LocalObjectReference(name=deployment.pull_secret)]
            if deployment is not None and deployment.pull_secret
            else None
        ),
        in_cluster=not local,
        config_file=(environ.get(ENV_KUBECONFIG) or None) if local else None,
        kubernetes_conn_id=None,
        # Images built into Minikube exist only there: never try a registry for them.
        image_pull_policy="IfNotPresent" if local else None,
        container_resources=k8s.V1ResourceRequirements(
            requests=dict(spec["requests"]), limits=dict(spec["limits"])
        ),
        labels={"app.kubernetes.io/managed-by": "gaiaflow"},
        do_xcom_push=True,
        get_logs=True,
        on_finish_action="delete_pod",
        log_events_on_failure=True,
        **common,
    )
