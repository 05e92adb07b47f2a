"""The example DAG from the original tool's documentation, with only the package name changed.

It must run unchanged: same imports, same create_task and FromTask calls, a TaskGroup holding
preprocess >> train >> evaluate.
"""

from datetime import datetime

from airflow import DAG
from airflow.utils.task_group import TaskGroup

from gaiaflow.core.create_task import create_task
from gaiaflow.core.operators import FromTask

default_args = {
    "owner": "airflow",
}

MODE = "dev"  # or "dev_docker", "prod_local", "prod"

with DAG(
    "my_training_dag",
    default_args=default_args,
    description="Example DAG using create_task",
    schedule="0 12 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["ml", "gaiaflow"],
    params={"experiment": "mnist"},
) as dag:
    with TaskGroup(group_id="training_group") as trainer:
        preprocess = create_task(
            task_id="preprocess_data",
            func_path="gftest.pipeline:preprocess",
            func_kwargs={"path": "/data/raw"},
            mode=MODE,
            dag=dag,
        )

        train = create_task(
            task_id="train_model",
            func_path="gftest.pipeline:train",
            func_kwargs={
                "epochs": 10,
                "preprocessed_path": FromTask(
                    task="training_group.preprocess_data",
                    key="preprocessed_path",
                ),
            },
            mode=MODE,
            dag=dag,
        )

        evaluate = create_task(
            task_id="evaluate_model",
            func_path="gftest.pipeline:evaluate",
            func_kwargs={"metrics": ["accuracy", "f1"]},
            mode=MODE,
            dag=dag,
        )

        preprocess >> train >> evaluate
