"""A DAG whose middle task fails: gaiaflow's client tests expect `boom` named."""

import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime.datetime(2024, 1, 1), tags=["gaiaflow-test"])
def fail_dag():
    @task
    def fine():
        return 1

    @task(retries=0)
    def boom(value):
        raise RuntimeError("boom on purpose")

    @task
    def after(value):
        return value

    after(boom(fine()))


fail_dag()
