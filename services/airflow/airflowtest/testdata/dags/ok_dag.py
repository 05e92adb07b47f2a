"""A DAG that succeeds and prints its conf: gaiaflow's client tests trigger it."""

import datetime
import json

from airflow.sdk import dag, task


@dag(
    schedule=None,
    start_date=datetime.datetime(2024, 1, 1),
    tags=["gaiaflow-test"],
    default_args={"owner": "alice"},
)
def ok_dag():
    @task
    def hello(**context):
        print("conf:", json.dumps(context["dag_run"].conf, sort_keys=True))
        return 1

    @task
    def world(value):
        print("got", value)

    world(hello())


ok_dag()
