"""FromTask mistakes fail at once with a clear error instead of retrying (dev mode)."""

from datetime import datetime

from airflow.sdk import DAG, TaskGroup

from gaiaflow.core.create_task import create_task
from gaiaflow.core.operators import FromTask

with DAG("gftest_failing", schedule=None, start_date=datetime(2025, 1, 1), catchup=False) as dag:
    with TaskGroup(group_id="grp"):
        produce = create_task(task_id="produce", func_path="gftest:produce_list", mode="dev")
        short_id = create_task(
            task_id="short_id",
            func_path="gftest:plain",
            func_args=["short_id", FromTask("produce")],
            mode="dev",
        )
        not_a_dict = create_task(
            task_id="not_a_dict",
            func_path="gftest:plain",
            func_args=["not_a_dict", FromTask("grp.produce", key="path")],
            mode="dev",
        )
        produce >> [short_id, not_a_dict]
    not_upstream = create_task(
        task_id="not_upstream",
        func_path="gftest:plain",
        func_args=["not_upstream", FromTask("grp.produce")],
        mode="dev",
    )
