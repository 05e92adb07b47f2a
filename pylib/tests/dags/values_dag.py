"""FromTask values of every JSON type, positional and keyword, whole and by key (dev mode)."""

from datetime import datetime

from airflow.sdk import DAG, TaskGroup

from gaiaflow.core.create_task import create_task
from gaiaflow.core.operators import FromTask
from gftest import VALUES

with DAG("gftest_values", schedule=None, start_date=datetime(2025, 1, 1), catchup=False) as dag:
    with TaskGroup(group_id="grp"):
        producers = [
            create_task(task_id=name, func_path=f"gftest:{name}", mode="dev")
            for name in ("produce", "produce_text", "produce_list", "produce_number")
        ]
        positional = create_task(
            task_id="positional",
            func_path="gftest:record_args",
            func_args=[
                "positional",
                "literal-before",
                FromTask("grp.produce"),
                "literal-middle",
                FromTask("grp.produce", key="text"),
                FromTask("grp.produce_list"),
                7,
                FromTask("grp.produce_number"),
                None,
            ],
            mode="dev",
        )
        keywords = create_task(
            task_id="keywords",
            func_path="gftest:record_kwargs",
            func_args=["keywords"],
            func_kwargs={
                **{key: FromTask("grp.produce", key=key) for key in VALUES},
                "whole": FromTask("grp.produce"),
                "whole_text": FromTask("grp.produce_text"),
                "literal": "x",
                "nested": {"a": [FromTask("grp.produce", key="int"), "b"]},
            },
            mode="dev",
        )
        mixed = create_task(
            task_id="mixed",
            func_path="gftest:record_mixed",
            func_args=[
                "mixed",
                FromTask("grp.produce", key="dict"),
                "second-literal",
                FromTask("grp.produce_text"),
            ],
            func_kwargs={"extra": FromTask("grp.produce", key="list")},
            mode="dev",
        )
        producers >> positional
        producers >> keywords
        producers >> mixed
