# A DAG of the template's kind: change it once the package does what you want.
from datetime import datetime

from airflow import DAG
from airflow.utils.task_group import TaskGroup
from gaiaflow.core.create_task import create_task
from gaiaflow.core.operators import FromTask

# One of `dev`, `dev_docker`, `prod_local` or `prod`.
MODE = "dev"

default_args = {
    "owner": "change_your_name_here",
    "start_date": datetime(2025, 2, 1),
}

with DAG(
    "change_your_dag_name_here_create_task_dag",
    default_args=default_args,
    description="change your description here",
    schedule="0 0 * * *",
    catchup=False,
    tags=["create_task_dag", "{{package_name}}", MODE],
) as dag:
    with TaskGroup(group_id="change_group_id", tooltip="what the group does") as trainer:
        preprocess = create_task(
            task_id="preprocess_data",
            func_path="{{package_name}}:preprocess",
            func_kwargs={"path": "dummy_path"},
            # dev_docker, prod_local and prod run this image (gaiaflow dev dockerize).
            image="<your-image-name>",
            # secrets=["<your-secret-name>"],
            env_vars={"SOME_ENV": "42"},
            mode=MODE,
            dag=dag,
        )

        train = create_task(
            task_id="train",
            func_path="{{package_name}}:train",
            func_kwargs={
                "preprocessed_path": FromTask(
                    task="change_group_id.preprocess_data", key="preprocessed_path"
                ),
                "bucket_name": FromTask(task="change_group_id.preprocess_data", key="bucket_name"),
            },
            image="<your-image-name>",
            env_vars={"SOME_ENV": "42"},
            mode=MODE,
            dag=dag,
        )

        preprocess >> train
