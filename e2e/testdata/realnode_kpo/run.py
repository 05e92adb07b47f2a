"""A real KubernetesPodOperator (cncf-kubernetes provider) against the real node, by dag.test().

Run by e2e/realnode_test.go with the Airflow venv's python. dags/realnode_kpo_dag.py reads
its inputs from the environment (REALNODE_*); this runs it in-process with SQLite in a
temporary AIRFLOW_HOME and writes {"state", "task_state", "xcom", "sidecar_image"} as JSON
to $REALNODE_RESULT.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

DAGS = Path(__file__).resolve().parent / "dags"

home = tempfile.mkdtemp(prefix="gaiaflow-realnode-kpo-")
# Before Airflow is imported: it reads its configuration then.
os.environ.update(
    {
        "AIRFLOW_HOME": home,
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": os.path.join(home, "logs"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
)

try:
    from airflow.providers.cncf.kubernetes.utils.xcom_sidecar import PodDefaults
    from airflow.utils import db

    db.resetdb()
    # Imported from the DAGs folder as Airflow would, so dag.test() can serialize it.
    spec = importlib.util.spec_from_file_location(
        "realnode_kpo_dag", DAGS / "realnode_kpo_dag.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    run = module.dag.test()
    ti = run.get_task_instance("probe")
    result = {
        "state": str(run.state),
        "task_state": str(ti.state) if ti else None,
        "xcom": ti.xcom_pull(task_ids="probe") if ti else None,
        "sidecar_image": PodDefaults.SIDECAR_CONTAINER.image,
    }
    with open(os.environ["REALNODE_RESULT"], "w") as f:
        json.dump(result, f)
finally:
    shutil.rmtree(home, ignore_errors=True)
