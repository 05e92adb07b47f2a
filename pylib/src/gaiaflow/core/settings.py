"""The environment contract with the gaiaflow stack, and the four modes.

The gaiaflow binary sets these variables in the Airflow containers; the library reads nothing
else from the machine. pylib/README.md documents every name here.
"""

from __future__ import annotations

import configparser
import enum
from collections.abc import Mapping

ENV_MODE = "GAIAFLOW_MODE"
ENV_IMAGE = "GAIAFLOW_IMAGE"
ENV_TASK_PYTHON = "GAIAFLOW_TASK_PYTHON"
ENV_DOCKER_NETWORK = "GAIAFLOW_DOCKER_NETWORK"
ENV_DOCKER_LABELS = "GAIAFLOW_DOCKER_LABELS"
ENV_KUBECONFIG = "GAIAFLOW_KUBECONFIG"
ENV_K8S_NAMESPACE = "GAIAFLOW_K8S_NAMESPACE"
ENV_RESOURCE_PROFILE = "GAIAFLOW_RESOURCE_PROFILE"
# The project's .env, as the Airflow containers see it (see gaiaflow.core.dotenv).
ENV_DOTENV = "GAIAFLOW_DOTENV"
# The project's data/ as the Docker engine sees it: dev_docker mounts it into task containers.
ENV_HOST_DATA_DIR = "GAIAFLOW_HOST_DATA_DIR"
# Where data/ is inside task containers: where the original gaiaflow mounted it (its tasks ran
# in /opt/airflow), and data/ under the working directory of gaiaflow's task images.
DATA_MOUNTS = ("/opt/airflow/data", "/opt/gaiaflow/project/data")
# GAIAFLOW_POD_<NAME>: a service variable as pods in the Minikube cluster must see it.
POD_PREFIX = "GAIAFLOW_POD_"

DEFAULT_K8S_NAMESPACE = "default"

ENDPOINT_VARS = ("MLFLOW_TRACKING_URI", "MLFLOW_S3_ENDPOINT_URL")
CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
SERVICE_VARS = ENDPOINT_VARS + CREDENTIAL_VARS
# The stack keeps the S3 keys out of every container's environment: Airflow finds them in
# boto3's shared credentials file, and dev_docker containers get the file the stack keeps on
# the host (GAIAFLOW_DOCKER_AWS_CREDENTIALS) mounted read-only at DOCKER_AWS_CREDENTIALS_PATH.
ENV_AWS_CREDENTIALS_FILE = "AWS_SHARED_CREDENTIALS_FILE"
ENV_DOCKER_AWS_CREDENTIALS = "GAIAFLOW_DOCKER_AWS_CREDENTIALS"
DOCKER_AWS_CREDENTIALS_PATH = "/run/secrets/gaiaflow/aws-credentials"
# An MLflow server that stores artifacts in S3 tells its clients to move large and model
# artifacts straight to the store through presigned URLs, which name the store as the server
# sees it (http://minio:9000). A pod cannot resolve that name, so in prod_local artifacts go
# through the tracking server, as they did before MLflow 3.
POD_PROXIED_ARTIFACTS = {
    "MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD": "false",
    "MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD": "false",
}


class GaiaflowMode(str, enum.Enum):
    """Where a task runs. ``create_task(mode=...)`` takes the value or the member."""

    DEV = "dev"
    DEV_DOCKER = "dev_docker"
    PROD_LOCAL = "prod_local"
    PROD = "prod"

    def __str__(self) -> str:
        return self.value


MODES = tuple(m.value for m in GaiaflowMode)
IMAGE_MODES = (GaiaflowMode.DEV_DOCKER, GaiaflowMode.PROD_LOCAL, GaiaflowMode.PROD)


def stack_service_env(mode: GaiaflowMode, environ: Mapping[str, str]) -> dict[str, str]:
    """Return the service endpoints and credentials the stack offers a task in ``mode``.

    - dev: nothing to add; the task's process inherits the Airflow container's environment.
    - dev_docker: the Airflow container's own values; the task container joins the stack's
      network, so the same addresses resolve there.
    - prod_local: ``GAIAFLOW_POD_<NAME>`` (addresses as pods in Minikube reach the host); the
      credentials fall back to the Airflow container's (see ``stack_credentials``). Endpoints
      never fall back: ``http://mlflow:5000`` means nothing inside the cluster. Artifacts go
      through the tracking server (``POD_PROXIED_ARTIFACTS``): MinIO's name in the stack means
      nothing there either.
    - prod: nothing. A real cluster gets its endpoints and credentials only from ``env_vars``
      or its own secrets, never from the machine that happens to parse the DAG.
    """
    if mode is GaiaflowMode.DEV_DOCKER:
        return {name: environ[name] for name in SERVICE_VARS if environ.get(name)}
    if mode is GaiaflowMode.PROD_LOCAL:
        env = {}
        stack = stack_credentials(environ)
        for name in SERVICE_VARS:
            value = environ.get(POD_PREFIX + name)
            if not value and name in CREDENTIAL_VARS:
                value = stack.get(name)
            if value:
                env[name] = value
        if env.get("MLFLOW_TRACKING_URI"):
            env.update(POD_PROXIED_ARTIFACTS)
        return env
    return {}


def stack_credentials(environ: Mapping[str, str]) -> dict[str, str]:
    """Return the S3 keys the Airflow container has: its variables, else the default profile
    of the shared credentials file the stack gives it (``AWS_SHARED_CREDENTIALS_FILE``).

    A missing or unreadable file gives nothing, as it would to boto3.
    """
    creds = {name: environ[name] for name in CREDENTIAL_VARS if environ.get(name)}
    path = environ.get(ENV_AWS_CREDENTIALS_FILE)
    if len(creds) == len(CREDENTIAL_VARS) or not path:
        return creds
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path)  # a file that cannot be opened is skipped
    except configparser.Error:
        return creds
    for name in CREDENTIAL_VARS:
        value = parser.get("default", name.lower(), fallback="")
        if value and name not in creds:
            creds[name] = value
    return creds
