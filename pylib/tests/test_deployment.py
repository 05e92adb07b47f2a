"""prod's deployment record (gaiaflow_prod.json): the pushed image, pinned by digest."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from gaiaflow.core.task import TaskDefinitionError

DIGEST = "sha256:" + "ab" * 32

DAG_FILE = """
from datetime import datetime

from airflow.sdk import DAG
from gaiaflow.core.create_task import create_task

with DAG(dag_id="d", schedule=None, start_date=datetime(2025, 1, 1)):
    task = create_task("t", "demo.pipeline:train", mode="prod")
"""


def _record(folder: Path, **fields: str) -> Path:
    record = {
        "image": "registry.example.com/team/demo:0.1.0",
        "digest": DIGEST,
        "package": "demo",
        "namespace": "ml",
        "pull_secret": "regcred",
    }
    record.update(fields)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "gaiaflow_prod.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def _parse(dag_file: Path):
    dag_file.parent.mkdir(parents=True, exist_ok=True)
    dag_file.write_text(DAG_FILE, encoding="utf-8")
    return runpy.run_path(str(dag_file))["task"]


@pytest.fixture
def dags(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "dags"
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(folder))
    for var in ("GAIAFLOW_IMAGE", "GAIAFLOW_K8S_NAMESPACE", "GAIAFLOW_MODE"):
        monkeypatch.delenv(var, raising=False)
    return folder


def test_prod_task_runs_the_recorded_image_by_digest(dags) -> None:
    _record(dags)
    task = _parse(dags / "pipeline.py")
    assert task.image == f"registry.example.com/team/demo:0.1.0@{DIGEST}"
    assert task.namespace == "ml"
    assert [s.name for s in task.image_pull_secrets] == ["regcred"]


def test_record_in_a_folder_above_within_the_dags_folder(dags) -> None:
    _record(dags)
    task = _parse(dags / "team" / "demo" / "pipeline.py")
    assert task.image.endswith("@" + DIGEST)


def test_record_outside_the_dags_folder_is_not_used(tmp_path, dags) -> None:
    # A record above Airflow's DAGs folder belongs to no DAG in it.
    _record(tmp_path)
    with pytest.raises(TaskDefinitionError, match="no image was given"):
        _parse(dags / "pipeline.py")


def test_record_of_another_package_is_not_used(dags) -> None:
    _record(dags, package="other")
    with pytest.raises(TaskDefinitionError, match="no image was given"):
        _parse(dags / "pipeline.py")


def test_explicit_image_and_namespace_win(dags, monkeypatch) -> None:
    _record(dags)
    monkeypatch.setenv("GAIAFLOW_IMAGE", "registry.example.com/team/demo:0.2.0")
    monkeypatch.setenv("GAIAFLOW_K8S_NAMESPACE", "other")
    task = _parse(dags / "pipeline.py")
    assert task.image == "registry.example.com/team/demo:0.2.0"
    assert task.namespace == "other"
    # The pull secret still comes from the record: the registry is the same.
    assert [s.name for s in task.image_pull_secrets] == ["regcred"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"digest": "latest"}, "is not a sha256 digest"),
        ({"image": "registry.example.com/team/demo@" + DIGEST}, "must be name:tag"),
        ({"package": ""}, "has no 'package'"),
    ],
)
def test_bad_record_names_the_file_and_the_fix(dags, fields, message) -> None:
    path = _record(dags, **fields)
    with pytest.raises(TaskDefinitionError) as e:
        _parse(dags / "pipeline.py")
    assert message in str(e.value)
    assert str(path) in str(e.value)
    assert "gaiaflow prod dockerize" in str(e.value)


def test_prod_local_ignores_the_record(dags, monkeypatch) -> None:
    _record(dags)
    monkeypatch.setenv("GAIAFLOW_IMAGE", "demo:0.1.0")
    dag_file = dags / "pipeline.py"
    dag_file.parent.mkdir(parents=True, exist_ok=True)
    dag_file.write_text(DAG_FILE.replace('mode="prod"', 'mode="prod_local"'), encoding="utf-8")
    task = runpy.run_path(str(dag_file))["task"]
    assert task.image == "demo:0.1.0"
    assert not task.image_pull_secrets
