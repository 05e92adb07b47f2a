from airflow.models import DagBag


def test_no_import_errors():
    bag = DagBag()
    assert not bag.import_errors, bag.import_errors
    for dag in bag.dags.values():
        for task in dag.tasks:
            assert task.retries > 2, task.task_id
