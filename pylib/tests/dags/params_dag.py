"""The DAG's params reach functions that accept them, with runtime values and JSON types."""

from datetime import datetime

from airflow.sdk import DAG

from gaiaflow.core.create_task import create_task

with DAG(
    "gftest_params",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    params={
        "Experiment": "mnist",
        "learningRate": 0.1,
        "Layers": [64, 32],
        "use_GPU": False,
        "Config": {"a": None, "b": "ü"},
        "Epochs": 3,
    },
) as dag:
    with_params = create_task(
        task_id="with_params",
        func_path="gftest:with_params",
        func_args=["with_params"],
        mode="dev",
        dag=dag,
    )
    kwargs_params = create_task(
        task_id="kwargs_params",
        func_path="gftest:record_kwargs",
        func_kwargs={"label": "kwargs_params"},
        mode="dev",
        dag=dag,
    )
    plain = create_task(
        task_id="plain",
        func_path="gftest:plain",
        func_args=["plain", "{{ params.Experiment }}/{{ params.Epochs }}"],
        mode="dev",
        dag=dag,
    )
    env = create_task(
        task_id="env",
        func_path="gftest:report_env",
        func_args=[
            "env",
            [
                "GAIAFLOW_MODE",
                "MLFLOW_TRACKING_URI",
                "MLFLOW_S3_ENDPOINT_URL",
                "GFTEST_FROM_ENV_VARS",
            ],
        ],
        env_vars={"MLFLOW_TRACKING_URI": "http://override:5000", "GFTEST_FROM_ENV_VARS": "yes"},
        mode="dev",
        dag=dag,
    )
