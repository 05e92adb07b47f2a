"""Test setup: an isolated Airflow home, the stand-in project on the path, no bytecode files.

Airflow reads AIRFLOW_HOME and its config when first imported, so the environment is prepared
here, at import time, before any test module imports Airflow. Nothing is written into the
source tree: Airflow's SQLite database and logs live in a temporary directory removed at the
end of the session.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.dont_write_bytecode = True

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"
PROJECT = TESTS / "project"
DAGS = TESTS / "dags"

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="gaiaflow-pytest-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(_AIRFLOW_HOME / "logs"),
        # Subprocesses (ExternalPythonOperator's script, the runner) write no .pyc files either.
        "PYTHONDONTWRITEBYTECODE": "1",
        # Only the stand-in project: dev mode must work where gaiaflow is not installed.
        "PYTHONPATH": str(PROJECT),
    }
)
sys.path.insert(0, str(PROJECT))

# Every variable of the stack contract: tests start from none of them and set what they need.
CONTRACT_VARS = (
    "GAIAFLOW_MODE",
    "GAIAFLOW_IMAGE",
    "GAIAFLOW_TASK_PYTHON",
    "GAIAFLOW_DOCKER_NETWORK",
    "GAIAFLOW_DOCKER_LABELS",
    "GAIAFLOW_KUBECONFIG",
    "GAIAFLOW_K8S_NAMESPACE",
    "GAIAFLOW_RESOURCE_PROFILE",
    "GAIAFLOW_DOTENV",
    "GAIAFLOW_HOST_DATA_DIR",
    "GAIAFLOW_POD_MLFLOW_TRACKING_URI",
    "GAIAFLOW_POD_MLFLOW_S3_ENDPOINT_URL",
    "GAIAFLOW_POD_AWS_ACCESS_KEY_ID",
    "GAIAFLOW_POD_AWS_SECRET_ACCESS_KEY",
    "MLFLOW_TRACKING_URI",
    "MLFLOW_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SHARED_CREDENTIALS_FILE",
    "GAIAFLOW_DOCKER_AWS_CREDENTIALS",
)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def clean_contract_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CONTRACT_VARS:
        monkeypatch.delenv(name, raising=False)


# What the gaiaflow stack sets in the Airflow containers besides the S3 keys (test stand-ins).
STACK_ENV = {
    "MLFLOW_TRACKING_URI": "http://mlflow:5000",
    "MLFLOW_S3_ENDPOINT_URL": "http://minio:9000",
    "GAIAFLOW_POD_MLFLOW_TRACKING_URI": "http://host.minikube.internal:5000",
    "GAIAFLOW_POD_MLFLOW_S3_ENDPOINT_URL": "http://host.minikube.internal:9000",
    "GAIAFLOW_DOCKER_NETWORK": "gaiaflow-demo-net",
    "GAIAFLOW_KUBECONFIG": "/home/airflow/.gaiaflow/kubeconfig",
    "GAIAFLOW_K8S_NAMESPACE": "gaiaflow-demo",
    "GAIAFLOW_IMAGE": "demo-project:0.1.0",
}


def _set_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def stack_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The stack's variables, with the S3 keys as variables (as older stacks set them)."""
    keys = {"AWS_ACCESS_KEY_ID": "stack-key-id", "AWS_SECRET_ACCESS_KEY": "stack-secret-key"}
    return _set_env(monkeypatch, {**STACK_ENV, **keys})


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A migrated metadata database (SQLite in the temporary Airflow home)."""
    from airflow.utils import db

    db.resetdb()


@pytest.fixture
def probe_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the stand-in project's functions record what they received."""
    path = tmp_path / "probe"
    monkeypatch.setenv("GFTEST_PROBE_DIR", str(path))
    return path


@pytest.fixture
def file_stack_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> dict[str, str]:
    """What the stack sets now: the S3 keys only in boto3's shared credentials file (in the
    Airflow container, and its host copy for dev_docker), never in a variable."""
    creds = tmp_path / "aws-credentials"
    creds.write_text(
        "[default]\naws_access_key_id = file-key-id\naws_secret_access_key = file-secret-key\n"
    )
    creds.chmod(0o400)
    files = {
        "AWS_SHARED_CREDENTIALS_FILE": str(creds),
        "GAIAFLOW_DOCKER_AWS_CREDENTIALS": "/home/me/.local/state/gaiaflow/task-aws-credentials",
    }
    return _set_env(monkeypatch, {**STACK_ENV, **files})
