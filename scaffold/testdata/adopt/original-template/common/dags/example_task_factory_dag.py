# The template's example DAG: an MNIST model with Keras, MinIO and MLflow.
from datetime import datetime

from airflow import DAG
from airflow.utils.task_group import TaskGroup
from gaiaflow.core.create_task import create_task
from gaiaflow.core.operators import FromTask

MODE = "dev"

with DAG(
    dag_id="create_task_dag_example",
    start_date=datetime(2025, 1, 1),
    schedule=None,
    description="Example Dag",
    catchup=False,
    tags=["create_task", "{{package_name}}", MODE],
) as dag:
    with TaskGroup(group_id="Trainer", tooltip="Preprocess and train an MNIST model"):
        preprocess_data = create_task(
            task_id="preprocess_data",
            func_path="{{package_name}}:example_preprocess",
            func_kwargs={"dummy_arg": "hello world"},
            image="<your-image-name>",
            secrets=["my-minio-creds"],
            env_vars={"SOME_ENV": "42"},
            mode=MODE,
            dag=dag,
        )
        train = create_task(
            task_id="train",
            func_path="{{package_name}}:example_train",
            func_kwargs={
                "preprocessed_path": FromTask(task="Trainer.preprocess_data", key="preprocessed_path"),
                "bucket_name": FromTask(task="Trainer.preprocess_data", key="bucket_name"),
            },
            image="<your-image-name>",
            secrets=["my-minio-creds"],
            env_vars={"SOME_ENV": "42"},
            mode=MODE,
            dag=dag,
        )
        preprocess_data >> train
