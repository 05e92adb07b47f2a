"""dag.test() of dev-mode DAGs against real Airflow: values, params and errors end to end.

Each DAG runs its functions through ExternalPythonOperator in a separate interpreter whose
PYTHONPATH holds only the stand-in project, so this also proves that dev mode needs no gaiaflow
installation in the project's environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gftest import TEXT, VALUES
from support import assert_same, load_dag, read_probe

pytestmark = pytest.mark.usefixtures("airflow_db")


def run_dag(dag, **kwargs):
    dag_run = dag.test(**kwargs)
    instances = {ti.task_id: ti for ti in dag_run.get_task_instances()}
    return dag_run, instances


def states(instances) -> dict[str, str]:
    return {task_id: str(ti.state) for task_id, ti in instances.items()}


def test_documented_api_dag_runs_to_success_in_dev_mode(probe_dir: Path) -> None:
    dag = load_dag("documented_api_dag")
    dag_run, instances = run_dag(dag)

    assert str(dag_run.state) == "success"
    assert states(instances) == {
        "training_group.preprocess_data": "success",
        "training_group.train_model": "success",
        "training_group.evaluate_model": "success",
    }
    train = instances["training_group.train_model"]
    assert_same(
        train.xcom_pull(task_ids="training_group.train_model"),
        {"model_path": "/data/raw/preprocessed/model-mnist-10", "epochs": 10},
    )
    evaluate = instances["training_group.evaluate_model"]
    assert_same(
        evaluate.xcom_pull(task_ids="training_group.evaluate_model"),
        {"accuracy": 1.0, "f1": 1.0},
    )


def test_from_task_values_keep_json_types_positional_and_keyword(probe_dir: Path) -> None:
    dag = load_dag("values_dag")
    dag_run, instances = run_dag(dag)
    assert str(dag_run.state) == "success", states(instances)

    # Literals keep their positions around FromTask values (the original overwrote them).
    positional = read_probe(probe_dir, "positional")
    assert_same(
        positional["args"],
        ("literal-before", VALUES, "literal-middle", TEXT, [TEXT, 1, None], 7, 0.1, None),
    )

    keywords = read_probe(probe_dir, "keywords")
    assert_same(
        keywords["kwargs"],
        {
            **VALUES,
            "whole": VALUES,
            "whole_text": TEXT,
            "literal": "x",
            "nested": {"a": [42, "b"]},
            "params": {},
        },
    )

    mixed = read_probe(probe_dir, "mixed")
    assert_same(
        mixed,
        {
            "first": VALUES["dict"],
            "second": "second-literal",
            "rest": (TEXT,),
            "params": {},
            "named": {"extra": VALUES["list"]},
        },
    )
    # What the producers returned is stored with its types too.
    produce = instances["grp.produce"]
    assert_same(produce.xcom_pull(task_ids="grp.produce"), VALUES)


DEFAULT_PARAMS = {
    "Experiment": "mnist",
    "learningRate": 0.1,
    "Layers": [64, 32],
    "use_GPU": False,
    "Config": {"a": None, "b": "ü"},
    "Epochs": 3,
}


@pytest.mark.parametrize(
    ("run_conf", "expected"),
    [
        pytest.param(None, DEFAULT_PARAMS, id="defaults"),
        pytest.param(
            {"learningRate": 0.5, "Experiment": "cifar", "Layers": [8]},
            {**DEFAULT_PARAMS, "learningRate": 0.5, "Experiment": "cifar", "Layers": [8]},
            id="run-conf-overrides",
        ),
    ],
)
def test_params_reach_functions_with_runtime_values(
    probe_dir: Path, stack_env: dict[str, str], run_conf: dict | None, expected: dict
) -> None:
    dag = load_dag("params_dag")
    dag_run, instances = run_dag(dag, run_conf=run_conf)
    assert str(dag_run.state) == "success", states(instances)

    assert_same(read_probe(probe_dir, "with_params")["params"], expected)
    assert_same(read_probe(probe_dir, "kwargs_params")["kwargs"], {"params": expected})
    # A function without a params parameter runs; a Jinja literal sees the runtime params.
    assert_same(
        read_probe(probe_dir, "plain")["value"], f"{expected['Experiment']}/{expected['Epochs']}"
    )
    # env_vars reach dev tasks and override the stack's values; the rest is inherited.
    assert_same(
        read_probe(probe_dir, "env")["env"],
        {
            "GAIAFLOW_MODE": "dev",
            "MLFLOW_TRACKING_URI": "http://override:5000",
            "MLFLOW_S3_ENDPOINT_URL": stack_env["MLFLOW_S3_ENDPOINT_URL"],
            "GFTEST_FROM_ENV_VARS": "yes",
        },
    )


def test_from_task_mistakes_fail_at_once_without_retries(probe_dir: Path) -> None:
    dag = load_dag("failing_dag")
    dag_run, instances = run_dag(dag)

    assert str(dag_run.state) == "failed"
    assert states(instances) == {
        "grp.produce": "success",
        "grp.short_id": "failed",
        "grp.not_a_dict": "failed",
        "not_upstream": "failed",
    }
    for task_id in ("grp.short_id", "grp.not_a_dict", "not_upstream"):
        # Three retries were configured; a definition error must not use them.
        assert instances[task_id].try_number == 1, task_id
    assert not list(probe_dir.glob("*.pickle")), "no failing function may have been called"


def test_dev_task_in_a_bare_environment_logs_no_traceback(
    probe_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    """The task interpreter has neither Airflow nor pendulum, as in the stack's task venv.

    ExternalPythonOperator probes the interpreter for pendulum (``python -c "import pendulum"``)
    unless told which context keys to pass; that probe's ModuleNotFoundError traceback used to
    land in every successful task's log.
    """
    import subprocess
    import sys

    venv = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import pendulum"], capture_output=True)
    assert probe.returncode != 0, "the bare environment must lack pendulum"
    monkeypatch.setenv("GAIAFLOW_TASK_PYTHON", str(python))
    capfd.readouterr()

    dag = load_dag("documented_api_dag")
    dag_run, instances = run_dag(dag)

    assert str(dag_run.state) == "success", states(instances)
    out, err = capfd.readouterr()
    for text in (out, err):
        assert "No module named 'pendulum'" not in text
        assert "Traceback" not in text
