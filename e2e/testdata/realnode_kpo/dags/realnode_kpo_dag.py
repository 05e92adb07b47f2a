"""One KubernetesPodOperator task on the real node; its inputs come from REALNODE_* (run.py)."""

from __future__ import annotations

import os

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from airflow.sdk import DAG
from kubernetes.client import models as k8s

with DAG("realnode_kpo", schedule=None) as dag:
    KubernetesPodOperator(
        task_id="probe",
        name="realnode-kpo",
        namespace=os.environ["REALNODE_NAMESPACE"],
        image=os.environ["REALNODE_IMAGE"],
        image_pull_policy="Never",
        arguments=["pod"],
        env_vars=[k8s.V1EnvVar(name="PROBE_URL", value=os.environ["REALNODE_URL"])],
        secrets=[Secret("env", "PROBE_SECRET", os.environ["REALNODE_SECRET"], "value")],
        config_file=os.environ["REALNODE_KUBECONFIG"],
        cluster_context=os.environ["REALNODE_CONTEXT"],
        in_cluster=False,
        do_xcom_push=True,
        get_logs=True,
        on_finish_action="delete_pod",
        startup_timeout_seconds=120,
    )
