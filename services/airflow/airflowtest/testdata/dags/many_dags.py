"""1,000 trivial DAGs, gen_0000 to gen_0999, for the pagination test."""

import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

for i in range(1000):
    with DAG(
        dag_id=f"gen_{i:04d}",
        schedule=None,
        start_date=datetime.datetime(2024, 1, 1),
    ) as generated:
        EmptyOperator(task_id="noop")
    globals()[generated.dag_id] = generated
