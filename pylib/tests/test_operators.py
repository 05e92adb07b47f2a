"""For each mode: the operator class create_task builds and the arguments it passes."""

from __future__ import annotations

import sys
import warnings
from datetime import datetime

import pytest
from airflow.sdk import DAG, TaskGroup

from gaiaflow.core.create_task import create_task
from gaiaflow.core.operators import FromTask
from gaiaflow.transport import read_call
from support import fake_context

START = datetime(2025, 1, 1)


def make_dag(dag_id: str = "ops", **kwargs) -> DAG:
    return DAG(dag_id, schedule=None, start_date=START, catchup=False, **kwargs)


# --- dev ---------------------------------------------------------------------------------


def test_dev_builds_external_python_operator_with_project_python(monkeypatch) -> None:
    from airflow.providers.standard.operators.python import ExternalPythonOperator

    from gaiaflow.core.dev import GaiaflowExternalPythonOperator

    monkeypatch.setenv("GAIAFLOW_TASK_PYTHON", "/opt/project-env/bin/python")
    with make_dag():
        task = create_task(
            "t", "pkg.mod:fn", env_vars={"A": "1"}, image="ignored:1", retries=5, mode="dev"
        )
    assert type(task) is GaiaflowExternalPythonOperator
    assert isinstance(task, ExternalPythonOperator)
    assert task.python == "/opt/project-env/bin/python"
    assert task.env_vars == {"GAIAFLOW_MODE": "dev", "A": "1"}
    assert task.inherit_env is True
    assert task.retries == 5
    assert task.expect_airflow is False
    assert task.do_xcom_push is True


def test_dev_falls_back_to_the_interpreter_running_airflow() -> None:
    with make_dag():
        task = create_task("t", "pkg.mod:fn")  # no mode, no GAIAFLOW_MODE: dev
    assert task.python == sys.executable
    assert task.retries == 3


# --- dev_docker ----------------------------------------------------------------------------


def test_dev_docker_builds_docker_operator_on_the_stack_network(stack_env) -> None:
    from airflow.providers.docker.operators.docker import DockerOperator

    from gaiaflow.core.dev_docker import GaiaflowDockerOperator

    with make_dag():
        task = create_task(
            "t", "pkg.mod:fn", image="img:1", env_vars={"A": "1"}, retries=4, mode="dev_docker"
        )
    assert type(task) is GaiaflowDockerOperator
    assert isinstance(task, DockerOperator)
    assert task.image == "img:1"
    assert task.command == ["python", "-m", "gaiaflow.runner"]
    assert task.network_mode == "gaiaflow-demo-net"
    assert task.retries == 4
    assert task.auto_remove == "success"
    assert task.mount_tmp_dir is False
    assert task.api_version == "auto"
    assert task.do_xcom_push is True
    assert task.xcom_all is False
    assert task.retrieve_output is True
    assert task.retrieve_output_path == "/tmp/gaiaflow-result.pickle"
    # Parse time holds only the task's own environment: no stack values, no credentials.
    assert task.environment == {
        "GAIAFLOW_MODE": "dev_docker",
        "GAIAFLOW_RESULT_PICKLE": "/tmp/gaiaflow-result.pickle",
        "A": "1",
    }
    assert task._private_environment == {}
    assert task.labels == {"gaiaflow.task_id": "t", "gaiaflow.dag_id": "ops"}


def test_dev_docker_adds_stack_services_at_run_time_credentials_privately(stack_env) -> None:
    with make_dag(params={"p": 1}):
        task = create_task(
            "t",
            "pkg.mod:fn",
            func_args=[1],
            env_vars={"MLFLOW_TRACKING_URI": "http://mine:5000"},
            mode="dev_docker",
        )
    full = task.gaiaflow_prepare(fake_context(params={"p": 1}))

    assert task.environment["MLFLOW_TRACKING_URI"] == "http://mine:5000"  # env_vars win
    assert task.environment["MLFLOW_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert "AWS_SECRET_ACCESS_KEY" not in task.environment  # never rendered or shown
    assert task._private_environment == {
        "AWS_ACCESS_KEY_ID": "stack-key-id",
        "AWS_SECRET_ACCESS_KEY": "stack-secret-key",
    }
    assert full["AWS_SECRET_ACCESS_KEY"] == "stack-secret-key"
    assert read_call(full) == (
        '{"func_path": "pkg.mod:fn", "args": [1], "kwargs": {}, "params": {"p": 1}}'
    )


def test_dev_docker_uses_gaiaflow_image_and_labels_from_the_stack(monkeypatch) -> None:
    monkeypatch.setenv("GAIAFLOW_IMAGE", "built-by-dockerize:3")
    monkeypatch.setenv("GAIAFLOW_DOCKER_LABELS", '{"dev.gaiaflow.project": "demo-1a2b"}')
    with make_dag():
        task = create_task("t", "pkg.mod:fn", mode="dev_docker")
    assert task.image == "built-by-dockerize:3"
    assert task.network_mode is None  # outside the stack: Docker's default network
    assert task.labels == {
        "dev.gaiaflow.project": "demo-1a2b",
        "gaiaflow.task_id": "t",
        "gaiaflow.dag_id": "ops",
    }


# --- prod_local / prod --------------------------------------------------------------------


def _env(env_list) -> dict[str, str]:
    return {e.name: e.value for e in env_list}


def test_prod_local_builds_pod_operator_for_minikube(stack_env) -> None:
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    from gaiaflow.core.kubernetes import GaiaflowKubernetesPodOperator

    with make_dag():
        task = create_task(
            "t",
            "pkg.mod:fn",
            image="img:1",
            secrets=["minio-creds", "api-token"],
            env_vars={"A": "1"},
            retries=2,
            mode="prod_local",
        )
    assert type(task) is GaiaflowKubernetesPodOperator
    assert isinstance(task, KubernetesPodOperator)
    assert task.image == "img:1"
    assert task.cmds == []  # the image's entrypoint stays; the runner is the command
    assert task.arguments == ["python", "-m", "gaiaflow.runner"]
    assert task.in_cluster is False
    assert task.config_file == "/home/airflow/.gaiaflow/kubeconfig"
    assert task.namespace == "gaiaflow-demo"
    assert task.kubernetes_conn_id is None
    assert task.image_pull_policy == "IfNotPresent"
    assert [e.secret_ref.name for e in task.env_from] == ["minio-creds", "api-token"]
    assert task.env_vars == {
        "GAIAFLOW_MODE": "prod_local",
        "GAIAFLOW_RESULT_JSON": "/airflow/xcom/return.json",
        "A": "1",
    }
    assert task.container_resources.requests == {"cpu": "250m", "memory": "512Mi"}
    assert task.container_resources.limits == {"cpu": "500m", "memory": "1Gi"}
    assert task.do_xcom_push is True
    assert task.get_logs is True
    assert task.on_finish_action.value == "delete_pod"
    assert task.retries == 2


def test_prod_local_pod_spec_carries_env_secrets_and_xcom_sidecar(stack_env) -> None:
    with make_dag():
        task = create_task(
            "t", "pkg.mod:fn", image="img:1", secrets=["minio-creds"], mode="prod_local"
        )
    task.gaiaflow_prepare(fake_context())
    pod = task.build_pod_request_obj(dry_run=True)

    base = pod.spec.containers[0]
    assert base.image == "img:1"
    assert base.args == ["python", "-m", "gaiaflow.runner"]
    assert base.image_pull_policy == "IfNotPresent"
    assert [e.secret_ref.name for e in base.env_from] == ["minio-creds"]
    env = _env(base.env)
    # Stack values only as defaults the runner applies where neither env nor a secret sets them.
    assert "MLFLOW_TRACKING_URI" not in env
    assert env["GAIAFLOW_DEFAULT_MLFLOW_TRACKING_URI"] == "http://host.minikube.internal:5000"
    assert env["GAIAFLOW_DEFAULT_MLFLOW_S3_ENDPOINT_URL"] == "http://host.minikube.internal:9000"
    assert env["GAIAFLOW_DEFAULT_AWS_ACCESS_KEY_ID"] == "stack-key-id"
    # MLflow's presigned URLs would name MinIO as the stack's network knows it.
    assert env["GAIAFLOW_DEFAULT_MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD"] == "false"
    assert env["GAIAFLOW_DEFAULT_MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD"] == "false"
    assert "GAIAFLOW_CALL" in env
    assert base.resources.limits == {"cpu": "500m", "memory": "1Gi"}
    # do_xcom_push gives the pod the sidecar that reads /airflow/xcom/return.json.
    assert [c.name for c in pod.spec.containers] == ["base", "airflow-xcom-sidecar"]
    assert {m.mount_path for m in base.volume_mounts} == {"/airflow/xcom"}


def test_prod_runs_in_cluster_with_nothing_from_the_local_stack(stack_env) -> None:
    with make_dag():
        task = create_task(
            "t",
            "pkg.mod:fn",
            image="registry.example.com/demo:1",
            env_vars={"MLFLOW_TRACKING_URI": "https://mlflow.example.com"},
            mode="prod",
        )
    assert task.in_cluster is True
    assert task.config_file is None
    assert task.image_pull_policy is None
    env = _env(task.gaiaflow_prepare(fake_context()))
    assert env["MLFLOW_TRACKING_URI"] == "https://mlflow.example.com"
    assert set(env) == {
        "GAIAFLOW_MODE",
        "GAIAFLOW_RESULT_JSON",
        "MLFLOW_TRACKING_URI",
        "GAIAFLOW_CALL",
    }


@pytest.mark.parametrize(
    ("how", "expected_limits"),
    [
        ("argument", {"cpu": "2", "memory": "4Gi"}),
        ("dag-param", {"cpu": "1", "memory": "2Gi"}),
        ("environment", {"cpu": "4", "memory": "8Gi"}),
        ("default", {"cpu": "500m", "memory": "1Gi"}),
    ],
)
def test_resource_profile_is_chosen_by_name(monkeypatch, how, expected_limits) -> None:
    params = {"resource_profile": "medium"} if how in ("argument", "dag-param") else {}
    if how in ("argument", "environment", "dag-param"):
        monkeypatch.setenv("GAIAFLOW_RESOURCE_PROFILE", "ultra")
    with make_dag(params=params) as dag:
        task = create_task(
            "t",
            "pkg.mod:fn",
            image="img:1",
            mode="prod_local",
            dag=dag,
            resource_profile="high" if how == "argument" else None,
        )
    assert task.container_resources.limits == expected_limits


@pytest.mark.parametrize("mode", ["dev", "dev_docker", "prod_local", "prod"])
def test_no_mode_passes_a_deprecated_argument(mode) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        warnings.simplefilter("error", PendingDeprecationWarning)
        try:
            from airflow.exceptions import AirflowProviderDeprecationWarning
        except ImportError:  # pragma: no cover - depends on the Airflow version
            pass
        else:
            warnings.simplefilter("error", AirflowProviderDeprecationWarning)
        with make_dag():
            create_task("t", "pkg.mod:fn", image="img:1", mode=mode)


@pytest.mark.parametrize("mode", ["dev", "dev_docker", "prod_local", "prod"])
def test_every_mode_works_in_a_task_group_with_the_dag_argument(mode) -> None:
    dag = make_dag(params={"x": 1})
    with TaskGroup("grp", dag=dag):
        first = create_task("first", "pkg.mod:fn", image="img:1", mode=mode, dag=dag)
        second = create_task(
            "second",
            "pkg.mod:fn",
            func_args=[FromTask("grp.first")],
            image="img:1",
            mode=mode,
            dag=dag,
        )
        first >> second
    assert set(dag.task_dict) == {"grp.first", "grp.second"}
    assert second.upstream_task_ids == {"grp.first"}
    if mode == "dev_docker":
        assert second.labels["gaiaflow.task_id"] == "grp.second"


def test_operator_classes_are_exported_lazily_from_operators() -> None:
    from gaiaflow.core import operators
    from gaiaflow.core.dev_docker import GaiaflowDockerOperator

    assert operators.GaiaflowDockerOperator is GaiaflowDockerOperator
    with pytest.raises(AttributeError):
        operators.NoSuchOperator  # noqa: B018


@pytest.mark.parametrize("mode", ["dev_docker", "prod_local"])
def test_stack_credentials_are_masked_in_task_logs(mode, stack_env, monkeypatch) -> None:
    from airflow.sdk._shared.secrets_masker import redact  # the masker task logs go through

    secret = f"unique-secret-for-{mode}"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    with make_dag():
        task = create_task("t", "pkg.mod:fn", image="img:1", mode=mode)
    assert redact(f"the key is {secret}") == f"the key is {secret}"  # parsing masks nothing
    task.gaiaflow_prepare(fake_context())
    assert redact(f"the key is {secret}") == "the key is ***"


def test_dev_docker_mounts_the_stacks_credentials_file_and_puts_no_key_in_the_container(
    file_stack_env,
) -> None:
    with make_dag():
        task = create_task("t", "pkg.mod:fn", mode="dev_docker")
    full = task.gaiaflow_prepare(fake_context())
    task.gaiaflow_prepare(fake_context())  # a retry prepares again: still one mount

    assert full["AWS_SHARED_CREDENTIALS_FILE"] == "/run/secrets/gaiaflow/aws-credentials"
    assert task._private_environment == {}
    assert not any(v in ("file-key-id", "file-secret-key") for v in full.values())
    assert [dict(m) for m in task.mounts] == [
        {
            "Target": "/run/secrets/gaiaflow/aws-credentials",
            "Source": file_stack_env["GAIAFLOW_DOCKER_AWS_CREDENTIALS"],
            "Type": "bind",
            "ReadOnly": True,
        }
    ]


def test_dev_docker_keys_of_the_task_win_over_the_stacks_file(file_stack_env) -> None:
    with make_dag():
        task = create_task(
            "t", "pkg.mod:fn", env_vars={"AWS_ACCESS_KEY_ID": "mine"}, mode="dev_docker"
        )
    full = task.gaiaflow_prepare(fake_context())
    assert full["AWS_ACCESS_KEY_ID"] == "mine"
    assert "AWS_SHARED_CREDENTIALS_FILE" not in full
    assert not task.mounts


def test_prod_local_reads_the_stacks_keys_from_the_credentials_file(file_stack_env) -> None:
    from airflow.sdk._shared.secrets_masker import redact

    with make_dag():
        task = create_task("t", "pkg.mod:fn", image="img:1", mode="prod_local")
    task.gaiaflow_prepare(fake_context())
    env = _env(task.env_vars)
    assert env["GAIAFLOW_DEFAULT_AWS_ACCESS_KEY_ID"] == "file-key-id"
    assert env["GAIAFLOW_DEFAULT_AWS_SECRET_ACCESS_KEY"] == "file-secret-key"
    assert redact("the key is file-secret-key") == "the key is ***"
