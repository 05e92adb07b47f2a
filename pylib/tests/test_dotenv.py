"""The project's .env reaches tasks in dev, dev_docker and prod_local, below everything else."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from airflow.sdk import DAG

from gaiaflow.core import dotenv
from gaiaflow.core.create_task import create_task
from support import fake_context

# The original template's .env, plus what such files hold otherwise.
TEMPLATE_DOTENV = """####### ATTENTION!!! ########
# DO NOT ADD THIS TO YOUR VERSION CONTROL.

AWS_ACCESS_KEY_ID=minio
AWS_SECRET_ACCESS_KEY=minio123

J_MLFLOW_TRACKING_URI="http://localhost:5000"
J_MLFLOW_S3_ENDPOINT_URL="http://localhost:9000"
export PROJECT_TOKEN='s3cr3t $NOT_EXPANDED'
MODEL_DIR=${HOME_DIR:-/models}/mnist   # where models go
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            TEMPLATE_DOTENV,
            {
                "AWS_ACCESS_KEY_ID": "minio",
                "AWS_SECRET_ACCESS_KEY": "minio123",
                "J_MLFLOW_TRACKING_URI": "http://localhost:5000",
                "J_MLFLOW_S3_ENDPOINT_URL": "http://localhost:9000",
                "PROJECT_TOKEN": "s3cr3t $NOT_EXPANDED",
                "MODEL_DIR": "/models/mnist",
            },
        ),
        (
            'A="line\\nbreak \\"quoted\\" # kept"\nB=x#y\nC=\nnot a pair\n=v\nD="open',
            {
                "A": 'line\nbreak "quoted" # kept',
                "B": "x#y",
                "C": "",
            },
        ),
        ("A=1\nB=${A}-${MISSING:-d}\n", {"A": "1", "B": "1-d"}),
    ],
)
def test_parse(text: str, expected: dict[str, str]) -> None:
    assert dotenv.parse(text, environ={}) == expected


def test_no_dotenv_adds_nothing(tmp_path: Path, monkeypatch) -> None:
    assert dotenv.project_dotenv() == {}
    monkeypatch.setenv("GAIAFLOW_DOTENV", str(tmp_path / "missing.env"))
    assert dotenv.project_dotenv() == {}


@pytest.fixture
def project_dotenv(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / ".env"
    path.write_text(TEMPLATE_DOTENV)
    monkeypatch.setenv("GAIAFLOW_DOTENV", str(path))
    return path


def build(mode: str, **kwargs):
    with DAG("dotenv", schedule=None, start_date=datetime(2025, 1, 1)):
        return create_task("t", "pkg.mod:fn", mode=mode, image="img:1", **kwargs)


def test_dev_adds_dotenv_below_the_inherited_environment(
    project_dotenv: Path, stack_env: dict[str, str], monkeypatch
) -> None:
    from airflow.providers.standard.operators.python import ExternalPythonOperator

    monkeypatch.setattr(
        ExternalPythonOperator, "execute", lambda self, context: json.dumps(dict(self.env_vars))
    )
    task = build("dev", env_vars={"PROJECT_TOKEN": "from-env-vars"})
    env = task.execute(fake_context())
    # The stack's credentials are inherited and win: .env's are not added over them.
    assert "AWS_ACCESS_KEY_ID" not in env
    assert env["J_MLFLOW_TRACKING_URI"] == "http://localhost:5000"
    assert env["PROJECT_TOKEN"] == "from-env-vars"
    assert env["MODEL_DIR"] == "/models/mnist"
    assert env["PATH"].startswith(str(Path(task.python).parent))
    # Read when the task runs: an edit counts at the next run.
    project_dotenv.write_text("LATE=yes\n")
    assert build("dev").execute(fake_context())["LATE"] == "yes"


def test_dev_docker_adds_dotenv_privately_and_mounts_data(
    project_dotenv: Path, stack_env: dict[str, str], monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GAIAFLOW_HOST_DATA_DIR", "/home/me/project/data")
    task = build("dev_docker", env_vars={"MODEL_DIR": "/elsewhere"})
    full = task.gaiaflow_prepare(fake_context())
    assert full["AWS_ACCESS_KEY_ID"] == "stack-key-id"  # the stack wins over .env
    assert full["MODEL_DIR"] == "/elsewhere"  # env_vars win over .env
    assert task._private_environment["PROJECT_TOKEN"] == "s3cr3t $NOT_EXPANDED"
    assert "PROJECT_TOKEN" not in task.environment  # never rendered or shown
    assert [(m["Target"], m["Source"], m["ReadOnly"]) for m in task.mounts] == [
        ("/opt/airflow/data", "/home/me/project/data", True),
        ("/opt/gaiaflow/project/data", "/home/me/project/data", True),
    ]
    task.gaiaflow_prepare(fake_context())  # a retry mounts nothing twice
    assert len(task.mounts) == 2


def test_prod_local_adds_dotenv_as_defaults_and_prod_nothing(
    project_dotenv: Path, stack_env: dict[str, str]
) -> None:
    def env_of(task) -> dict[str, str]:
        return {e.name: e.value for e in task.gaiaflow_prepare(fake_context())}

    env = env_of(build("prod_local", env_vars={"MODEL_DIR": "/elsewhere"}))
    assert env["GAIAFLOW_DEFAULT_PROJECT_TOKEN"] == "s3cr3t $NOT_EXPANDED"
    assert env["GAIAFLOW_DEFAULT_AWS_ACCESS_KEY_ID"] == "stack-key-id"
    assert "GAIAFLOW_DEFAULT_MODEL_DIR" not in env
    assert env["MODEL_DIR"] == "/elsewhere"
    assert not any("PROJECT_TOKEN" in name for name in env_of(build("prod")))


def test_stack_credentials_file_outranks_dotenv_keys(
    project_dotenv: Path, file_stack_env: dict[str, str], monkeypatch
) -> None:
    """The stack keeps its S3 keys in a file now: .env's keys must not shadow it as variables."""
    from airflow.providers.standard.operators.python import ExternalPythonOperator

    monkeypatch.setattr(
        ExternalPythonOperator, "execute", lambda self, context: json.dumps(dict(self.env_vars))
    )
    env = build("dev").execute(fake_context())
    assert "AWS_ACCESS_KEY_ID" not in env
    assert env["PROJECT_TOKEN"] == "s3cr3t $NOT_EXPANDED"

    task = build("dev_docker")
    full = task.gaiaflow_prepare(fake_context())
    assert "AWS_ACCESS_KEY_ID" not in full
    assert full["AWS_SHARED_CREDENTIALS_FILE"] == "/run/secrets/gaiaflow/aws-credentials"
    assert task._private_environment["PROJECT_TOKEN"] == "s3cr3t $NOT_EXPANDED"
