"""The runner as a subprocess, started with exactly the environment each non-dev operator sets.

No Docker daemon or cluster is needed: a stand-in "container" runs ``python -m gaiaflow.runner``
with the operator's environment, with its filesystem root in a temporary directory, and the
operator's own code reads the result back (DockerOperator's ``retrieve_output`` unpickling,
KubernetesPodOperator's XCom JSON parsing).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import tarfile
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk import DAG, TaskGroup

from gaiaflow.core.create_task import create_task
from gaiaflow.core.operators import FromTask
from gaiaflow.transport import CALL_PARTS_VAR, CALL_VAR
from gftest import TEXT, VALUES
from support import PROJECT, SRC, assert_same, fake_context

PARAMS = {"Experiment": "mnist", "learningRate": 0.1, "Layers": [64, 32], "use_GPU": False}
UPSTREAM = {"grp.produce": VALUES, "grp.produce_text": TEXT}


class StandInContainer:
    """Runs a task image's command as a local process with a private filesystem root.

    Absolute paths named by the runner's GAIAFLOW_RESULT_* variables are mapped under
    ``root``, the way they would land in the container's own filesystem.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def host_path(self, container_path: str) -> Path:
        return self.root / container_path.lstrip("/")

    def run(self, command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
        env = {
            "PATH": os.environ["PATH"],
            # gaiaflow and the project, as installed in the task image.
            "PYTHONPATH": os.pathsep.join([str(SRC), str(PROJECT)]),
            "PYTHONDONTWRITEBYTECODE": "1",
            **environment,
        }
        for name in ("GAIAFLOW_RESULT_PICKLE", "GAIAFLOW_RESULT_JSON"):
            if name in env:
                env[name] = str(self.host_path(env[name]))
        argv = [sys.executable if command[0] == "python" else command[0], *command[1:]]
        return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)


class FakeDockerAPI:
    """The parts of docker.APIClient that DockerOperator uses; "starting" runs the runner."""

    def __init__(self, container: StandInContainer) -> None:
        self.container = container
        self.created: dict[str, Any] = {}
        self.process: subprocess.CompletedProcess | None = None
        self.removed: list[str] = []

    def images(self, name: str) -> list[dict]:
        return [{"Id": name}]  # present locally: no pull

    def create_host_config(self, **kwargs: Any) -> dict:
        return kwargs

    def create_container(self, **kwargs: Any) -> dict:
        self.created = kwargs
        return {"Id": "c0ffee"}

    def attach(self, container: str, **kwargs: Any):
        def stream():  # read lazily, after start()
            assert self.process is not None
            yield (self.process.stdout + self.process.stderr).encode()

        return stream()

    def start(self, container_id: str) -> None:
        self.process = self.container.run(
            self.created["command"], dict(self.created["environment"])
        )

    def wait(self, container_id: str) -> dict:
        assert self.process is not None
        return {"StatusCode": self.process.returncode}

    def get_archive(self, container_id: str, path: str):
        from docker.errors import NotFound

        host = self.container.host_path(path)
        if not host.exists():
            raise NotFound(f"no {path} in the container")
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            tar.add(host, arcname=host.name)
        return [buffer.getvalue()], {"name": host.name, "size": host.stat().st_size}

    def remove_container(self, container_id: str, **kwargs: Any) -> None:
        self.removed.append(container_id)


def dag_with(mode: str, consumer: dict[str, Any]) -> Any:
    """A DAG whose TaskGroup holds the two upstream tasks and the task under test."""
    dag = DAG("runner", schedule=None, start_date=datetime(2025, 1, 1), params=PARAMS)
    with TaskGroup("grp", dag=dag):
        producers = [
            create_task("produce", "gftest:produce", image="img:1", mode=mode, dag=dag),
            create_task("produce_text", "gftest:produce_text", image="img:1", mode=mode, dag=dag),
        ]
        task = create_task(task_id="consumer", image="img:1", mode=mode, dag=dag, **consumer)
        producers >> task
    return task


MIXED_CALL = {
    "func_path": "gftest:record_mixed",
    "func_args": [
        "mixed",
        FromTask("grp.produce", key="dict"),
        "second-literal",
        FromTask("grp.produce_text"),
        FromTask("grp.produce"),
    ],
    "func_kwargs": {"extra": FromTask("grp.produce", key="list"), "n": 3},
}
MIXED_EXPECTED = {
    "first": VALUES["dict"],
    "second": "second-literal",
    "rest": (TEXT, VALUES),
    "params": PARAMS,
    "named": {"extra": VALUES["list"], "n": 3},
}


# --- dev_docker: DockerOperator --------------------------------------------------------------


def run_docker_task(task, tmp_path: Path) -> tuple[Any, FakeDockerAPI]:
    api = FakeDockerAPI(StandInContainer(tmp_path / "container"))
    task.__dict__["hook"] = SimpleNamespace(api_client=api)  # DockerOperator.cli reads this
    result = task.execute(fake_context(UPSTREAM, PARAMS))
    return result, api


def test_dev_docker_runner_hands_back_through_retrieve_output(stack_env, probe_dir, tmp_path):
    task = dag_with("dev_docker", {**MIXED_CALL, "env_vars": {"GFTEST_PROBE_DIR": str(probe_dir)}})
    result, api = run_docker_task(task, tmp_path)

    assert api.process is not None
    assert api.process.returncode == 0, api.process.stderr
    assert_same(read_probe_mixed(probe_dir), MIXED_EXPECTED)
    assert_same(result, VALUES["dict"])  # record_mixed returns its first argument
    assert api.created["host_config"]["network_mode"] == "gaiaflow-demo-net"
    assert api.removed == ["c0ffee"]  # auto_remove="success"


def test_dev_docker_environment_reaches_the_function(stack_env, tmp_path):
    names = ["GAIAFLOW_MODE", *stack_env_names()]
    task = dag_with(
        "dev_docker",
        {
            "func_path": "gftest:report_env",
            "func_args": ["env", names],
            "env_vars": {"MLFLOW_TRACKING_URI": "http://mine:5000"},
        },
    )
    result, api = run_docker_task(task, tmp_path)
    assert api.process is not None
    assert api.process.returncode == 0, api.process.stderr
    assert_same(
        result,
        {
            "GAIAFLOW_MODE": "dev_docker",
            "MLFLOW_TRACKING_URI": "http://mine:5000",
            "MLFLOW_S3_ENDPOINT_URL": "http://minio:9000",
            "AWS_ACCESS_KEY_ID": "stack-key-id",
            "AWS_SECRET_ACCESS_KEY": "stack-secret-key",
        },
    )


def test_dev_docker_result_does_not_come_from_the_log(stack_env, tmp_path):
    """DockerOperator would push the last log line; the result comes from the file instead."""
    task = dag_with("dev_docker", {"func_path": "gftest:plain", "func_args": ["p", "last"]})
    result, api = run_docker_task(task, tmp_path)
    assert api.process is not None
    assert "result written to" in api.process.stderr.splitlines()[-1]
    assert_same(result, "last")


def test_large_call_is_split_over_several_variables(stack_env, probe_dir, tmp_path):
    """A single environment string over 128 KiB cannot even start a process on Linux."""
    big = "x" * 300_000 + TEXT
    upstream = {**UPSTREAM, "grp.produce_text": big}
    task = dag_with(
        "dev_docker",
        {
            "func_path": "gftest:plain",
            "func_args": ["big", FromTask("grp.produce_text")],
            "env_vars": {"GFTEST_PROBE_DIR": str(probe_dir)},
        },
    )
    api = FakeDockerAPI(StandInContainer(tmp_path / "container"))
    task.__dict__["hook"] = SimpleNamespace(api_client=api)
    result = task.execute(fake_context(upstream, PARAMS))

    environment = api.created["environment"]
    assert CALL_VAR not in environment
    assert int(environment[CALL_PARTS_VAR]) >= 3
    assert max(len(v) for v in environment.values()) <= 100_000
    assert_same(result, big)
    assert_same(read_probe_value(probe_dir, "big"), big)


# --- prod_local / prod: KubernetesPodOperator ------------------------------------------------


def run_pod(task, tmp_path: Path, secrets: dict[str, dict[str, str]]) -> tuple[Any, Any]:
    """Build the pod spec, run its base container as a process, read XCom as KPO does."""
    task.gaiaflow_prepare(fake_context(UPSTREAM, PARAMS))
    pod = task.build_pod_request_obj(dry_run=True)
    base = pod.spec.containers[0]
    environment: dict[str, str] = {}
    for source in base.env_from or []:  # envFrom first: in Kubernetes, env beats envFrom
        environment.update(secrets[source.secret_ref.name])
    environment.update({e.name: e.value for e in base.env})
    container = StandInContainer(tmp_path / "pod")
    process = container.run([*(base.command or []), *base.args], environment)
    assert process.returncode == 0, process.stderr

    xcom_file = container.host_path("/airflow/xcom/return.json")

    class SidecarReader:  # what the xcom sidecar's `cat` returns
        def extract_xcom(self, pod, ignore_kill_failure=True):
            return xcom_file.read_text() if xcom_file.stat().st_size else "__empty__"

    task.__dict__["pod_manager"] = SidecarReader()
    return task.extract_xcom(pod), process


def stack_env_names() -> list[str]:
    return [
        "MLFLOW_TRACKING_URI",
        "MLFLOW_S3_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ]


@pytest.mark.parametrize("mode", ["prod_local", "prod"])
def test_pod_runner_hands_back_through_the_xcom_file(mode, stack_env, probe_dir, tmp_path):
    task = dag_with(mode, {**MIXED_CALL, "env_vars": {"GFTEST_PROBE_DIR": str(probe_dir)}})
    result, _ = run_pod(task, tmp_path, secrets={})
    assert_same(read_probe_mixed(probe_dir), MIXED_EXPECTED)
    assert_same(result, VALUES["dict"])


def test_prod_local_environment_precedence(stack_env, tmp_path):
    """env_vars beat secrets, which beat the stack; endpoints are the ones pods can reach."""
    names = ["GAIAFLOW_MODE", *stack_env_names()]
    task = dag_with(
        "prod_local",
        {
            "func_path": "gftest:report_env",
            "func_args": ["env", names],
            "secrets": ["minio-creds"],
            "env_vars": {"MLFLOW_TRACKING_URI": "http://user-choice:5000"},
        },
    )
    result, _ = run_pod(
        task, tmp_path, secrets={"minio-creds": {"AWS_ACCESS_KEY_ID": "from-secret"}}
    )
    assert_same(
        result,
        {
            "GAIAFLOW_MODE": "prod_local",
            "MLFLOW_TRACKING_URI": "http://user-choice:5000",
            "MLFLOW_S3_ENDPOINT_URL": "http://host.minikube.internal:9000",
            "AWS_ACCESS_KEY_ID": "from-secret",
            "AWS_SECRET_ACCESS_KEY": "stack-secret-key",
        },
    )


def test_prod_gets_nothing_from_the_local_stack(stack_env, tmp_path):
    names = ["GAIAFLOW_MODE", *stack_env_names()]
    task = dag_with(
        "prod",
        {
            "func_path": "gftest:report_env",
            "func_args": ["env", names],
            "secrets": ["s3"],
            "env_vars": {"MLFLOW_TRACKING_URI": "https://mlflow.example.com"},
        },
    )
    result, _ = run_pod(task, tmp_path, secrets={"s3": {"AWS_ACCESS_KEY_ID": "prod-key"}})
    assert_same(
        result,
        {
            "GAIAFLOW_MODE": "prod",
            "MLFLOW_TRACKING_URI": "https://mlflow.example.com",
            "MLFLOW_S3_ENDPOINT_URL": None,
            "AWS_ACCESS_KEY_ID": "prod-key",
            "AWS_SECRET_ACCESS_KEY": None,
        },
    )


def test_pod_result_none_is_an_empty_xcom(stack_env, tmp_path):
    task = dag_with("prod_local", {"func_path": "gftest:plain", "func_args": ["n", None]})
    result, _ = run_pod(task, tmp_path, secrets={})
    assert result is None


# --- the runner on its own ---------------------------------------------------------------------


def run_runner(tmp_path: Path, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return StandInContainer(tmp_path).run(["python", "-m", "gaiaflow.runner"], environment)


def test_runner_without_a_call_explains_itself(tmp_path):
    process = run_runner(tmp_path, {})
    assert process.returncode == 2
    assert "GAIAFLOW_CALL is not set" in process.stderr


def test_runner_reports_the_functions_error_and_writes_no_result(tmp_path):
    call = json.dumps({"func_path": "gftest:fail", "args": ["boom ü"], "kwargs": {}})
    process = run_runner(
        tmp_path, {CALL_VAR: call, "GAIAFLOW_RESULT_JSON": "/airflow/xcom/return.json"}
    )
    assert process.returncode == 1
    assert "RuntimeError: boom ü" in process.stderr
    assert not (tmp_path / "airflow/xcom/return.json").exists()


def test_runner_rejects_a_result_that_is_not_json(tmp_path):
    call = json.dumps({"func_path": "builtins:set", "args": [[1, 2]], "kwargs": {}})
    process = run_runner(
        tmp_path, {CALL_VAR: call, "GAIAFLOW_RESULT_PICKLE": "/tmp/gaiaflow-result.pickle"}
    )
    assert process.returncode == 1
    assert "Return JSON values only" in process.stderr
    assert not (tmp_path / "tmp/gaiaflow-result.pickle").exists()


def test_runner_pickle_holds_the_json_text(tmp_path):
    call = json.dumps({"func_path": "gftest:produce", "args": [], "kwargs": {}})
    process = run_runner(
        tmp_path, {CALL_VAR: call, "GAIAFLOW_RESULT_PICKLE": "/tmp/gaiaflow-result.pickle"}
    )
    assert process.returncode == 0, process.stderr
    text = pickle.loads((tmp_path / "tmp/gaiaflow-result.pickle").read_bytes())
    assert isinstance(text, str)
    assert_same(json.loads(text), VALUES)


def read_probe_mixed(probe_dir: Path) -> dict:
    return pickle.loads((probe_dir / "mixed.pickle").read_bytes())


def read_probe_value(probe_dir: Path, label: str) -> Any:
    return pickle.loads((probe_dir / f"{label}.pickle").read_bytes())["value"]
