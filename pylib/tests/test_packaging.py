"""The package as pip builds it, and what it imports."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import gaiaflow
from support import SRC

PYLIB = SRC.parent


def test_hatchling_wheel_holds_the_package_and_only_optional_airflow(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=PYLIB,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name == f"gaiaflow-{gaiaflow.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = email.message_from_bytes(
            zf.read(f"gaiaflow-{gaiaflow.__version__}.dist-info/METADATA")
        )
    sources = {
        p.relative_to(SRC).as_posix()
        for p in (SRC / "gaiaflow").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert "gaiaflow/py.typed" in sources
    assert {n for n in names if not n.startswith("gaiaflow-")} == sources
    assert metadata["Version"] == gaiaflow.__version__
    assert metadata["Requires-Python"] == ">=3.10"
    # Task images install gaiaflow for its runner: nothing may pull Airflow in unasked.
    requires = metadata.get_all("Requires-Dist")
    assert requires
    assert all("extra == 'airflow'" in r for r in requires), requires


def test_runner_and_dag_api_import_without_airflow() -> None:
    """Importing gaiaflow, its runner, FromTask or create_task must not import Airflow."""
    code = (
        "import sys\n"
        "sys.modules['airflow'] = None  # any import of airflow now fails\n"
        "import gaiaflow, gaiaflow.runner, gaiaflow.call, gaiaflow.transport\n"
        "from gaiaflow.core.operators import FromTask\n"
        "from gaiaflow.core.create_task import create_task, GaiaflowMode\n"
        "print(FromTask('a', key='b'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "FromTask('a', key='b')"


def test_each_mode_imports_only_its_own_operator() -> None:
    """Airflow itself imports every provider's package; the operator modules (and the
    Kubernetes client) are what a mode must not load unless it needs them."""
    modules = {
        "standard": "airflow.providers.standard.operators.python",
        "docker": "airflow.providers.docker.operators.docker",
        "cncf": "airflow.providers.cncf.kubernetes.operators.pod",
    }
    code = (
        "import sys\n"
        "from datetime import datetime\n"
        "from airflow.sdk import DAG\n"
        "from gaiaflow.core.create_task import create_task\n"
        "with DAG('d', schedule=None, start_date=datetime(2025, 1, 1)):\n"
        "    create_task('t', 'pkg:fn', image='img:1', mode=sys.argv[1])\n"
        f"modules = {modules!r}\n"
        "print('LOADED', ','.join(k for k, m in modules.items() if m in sys.modules))\n"
    )
    expected = {"dev": "standard", "dev_docker": "docker", "prod_local": "cncf", "prod": "cncf"}
    for mode, loaded in expected.items():
        result = subprocess.run(
            [sys.executable, "-c", code, mode],
            env={**_airflow_env(), "PYTHONPATH": str(SRC)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        (line,) = [x for x in result.stdout.splitlines() if x.startswith("LOADED ")]
        assert line == f"LOADED {loaded}", mode


def _airflow_env() -> dict[str, str]:
    keep = ("AIRFLOW_HOME", "AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__CORE__LOAD_EXAMPLES", "PATH")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env
