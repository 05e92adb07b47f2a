"""prod's deployment record: the task image gaiaflow pushed, pinned by its digest.

``gaiaflow prod dockerize`` pushes the task image and writes ``gaiaflow_prod.json`` into the
project's ``dags/`` folder, so the record travels with the DAG files to the production Airflow::

    {"image": "registry.example.com/team/demo:0.1.0", "digest": "sha256:...",
     "package": "demo", "namespace": "ml", "pull_secret": "regcred"}

In prod, a task without ``image=`` (and without ``$GAIAFLOW_IMAGE``) runs
``image@digest`` from the record found beside its DAG file (or in a folder above it, up to
Airflow's DAGs folder), in the record's namespace, pulled with its pull secret. A record of
another package (another project's DAGs in the same folder) is not used. Endpoints are never
in the record: tasks get them from ``env_vars`` and secrets only.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from gaiaflow.core.task import TaskDefinitionError

RECORD_FILE = "gaiaflow_prod.json"

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Deployment:
    """One ``gaiaflow_prod.json``."""

    path: Path
    image: str
    digest: str
    package: str
    namespace: str | None
    pull_secret: str | None

    @property
    def pinned(self) -> str:
        """The image by name and digest: the registry serves exactly what was pushed."""
        return f"{self.image}@{self.digest}"


def read(path: Path) -> Deployment:
    """Read and check one record; a bad record is an error naming the file and the fix."""
    fix = "run `gaiaflow prod dockerize` again to write it"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise TaskDefinitionError(f"{path} cannot be read: {e}; {fix}") from None
    if not isinstance(raw, dict):
        raise TaskDefinitionError(f"{path} is not a JSON object; {fix}")

    def text(key: str, required: bool) -> str | None:
        value = raw.get(key)
        if value is None or value == "":
            if required:
                raise TaskDefinitionError(f"{path} has no {key!r}; {fix}")
            return None
        if not isinstance(value, str) or any(c.isspace() for c in value):
            raise TaskDefinitionError(f"{path}: {key!r} is not a name: {value!r}; {fix}")
        return value

    image, digest = text("image", True), text("digest", True)
    if "@" in image:
        raise TaskDefinitionError(f"{path}: 'image' {image!r} must be name:tag; {fix}")
    if not _DIGEST.match(digest):
        raise TaskDefinitionError(f"{path}: 'digest' {digest!r} is not a sha256 digest; {fix}")
    return Deployment(
        path=path,
        image=image,
        digest=digest,
        package=text("package", True),
        namespace=text("namespace", False),
        pull_secret=text("pull_secret", False),
    )


def find(package: str, start: Path | None = None) -> Deployment | None:
    """The record of ``package`` for the DAG file being parsed, or None.

    It looks in ``start`` (default: the folder of the DAG file calling ``create_task``) and the
    folders above it, as far as Airflow's DAGs folder when ``start`` is inside it.
    """
    start = start or _caller_dir()
    if start is None:
        return None
    stop = _dags_folder()
    folder = start.resolve()
    while True:
        candidate = folder / RECORD_FILE
        if candidate.is_file():
            record = read(candidate)
            if record.package == package:
                return record
            return None
        if stop is None or folder == stop or stop not in folder.parents:
            return None
        folder = folder.parent


def _caller_dir() -> Path | None:
    """The folder of the first file on the stack outside the gaiaflow library."""
    here = Path(__file__).resolve().parent.parent
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name and not name.startswith("<"):
            path = Path(name).resolve()
            if here not in path.parents:
                return path.parent
        frame = frame.f_back
    return None


def _dags_folder() -> Path | None:
    folder = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER")
    if not folder:
        try:
            from airflow.configuration import conf

            folder = conf.get("core", "dags_folder")
        except Exception:  # no Airflow config: look beside the DAG file only
            return None
    return Path(folder).expanduser().resolve() if folder else None
