"""Install a project's conda packages into a Python environment, with py-rattler.

Written by gaiaflow into image build contexts and JupyterLab's setup; run with an interpreter
that has py-rattler (pip install py-rattler), never with the target's own:

    python conda-env.py SPEC.json PREFIX

SPEC.json is {"channels": [...], "specs": [...], "source": "environment.yml"}. PREFIX is an
existing virtual environment. Its interpreter is gaiaflow's, not the channel's: it is recorded
in PREFIX/conda-meta as an installed `python` of its exact version (build *_cpython, as
conda-forge's python_abi packages expect), pinned for the solve. The packages the specs need are
then solved from the channels, in their order, for this machine (its virtual packages: glibc,
CPU) and linked into PREFIX: Python packages into its site-packages, programs into its bin/,
libraries into its lib/.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import rattler
from rattler.exceptions import SolverError

# Stands in for the interpreter of the environment; never downloaded.
INTERPRETER_BUILD = "0_gaiaflow_cpython"


def interpreter_record(prefix: Path) -> tuple[rattler.RepoDataRecord, rattler.PrefixRecord]:
    out = subprocess.check_output(
        [
            str(prefix / "bin" / "python"),
            "-c",
            "import sys; print('%d.%d.%d' % sys.version_info[:3])",
        ],
        text=True,
    )
    version = out.strip()
    name = f"python-{version}-{INTERPRETER_BUILD}"
    package = rattler.PackageRecord(
        "python", version, rattler.BuildString(INTERPRETER_BUILD), 0, str(rattler.Subdir.current())
    )
    where = "file:///opt/gaiaflow/interpreter/"
    record = rattler.RepoDataRecord(package, name + ".conda", where + name + ".conda", where)
    installed = rattler.PrefixRecord(record, rattler.PrefixPaths())
    meta = prefix / "conda-meta"
    meta.mkdir(exist_ok=True)
    installed.write_to_path(meta / (name + ".json"), True)
    return record, installed


async def main(spec_file: str, prefix_dir: str) -> int:
    spec = json.loads(Path(spec_file).read_text())
    prefix = Path(prefix_dir)
    source = spec.get("source", "the project")
    record, installed = interpreter_record(prefix)
    cache = Path(tempfile.mkdtemp(prefix="gaiaflow-rattler-"))
    try:
        gateway = rattler.Gateway(cache_dir=cache / "repodata")
        try:
            records = await rattler.solve(
                spec["channels"],
                spec["specs"],
                gateway=gateway,
                platforms=[rattler.Subdir.current(), rattler.Subdir("noarch")],
                pinned_packages=[record],
                virtual_packages=rattler.VirtualPackage.detect(),
            )
        except SolverError as err:  # its message says what conflicts
            print(
                f"conda packages of {source}: cannot solve {', '.join(spec['specs'])} "
                f"from {', '.join(spec['channels'])}: {err}",
                file=sys.stderr,
            )
            return 1
        for r in sorted(records, key=lambda r: str(r.name.normalized)):
            if str(r.build) != INTERPRETER_BUILD:
                print(f"  {r.name.normalized} {r.version} {r.build} ({r.channel})")
        await rattler.install(
            records,
            target_prefix=prefix,
            cache_dir=cache / "pkgs",
            installed_packages=[installed],
            show_progress=False,
        )
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"installed {len(records) - 1} conda packages of {source} into {prefix}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    os.umask(0o022)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
