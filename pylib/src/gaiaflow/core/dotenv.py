"""The project's ``.env``: variables for its tasks, as the original gaiaflow template keeps them.

The gaiaflow stack mounts the project into the Airflow containers and names its ``.env`` in
``$GAIAFLOW_DOTENV``. Each operator reads the file when a task runs (an edit counts at the next
run) and adds its variables to the task's environment in dev, dev_docker and prod_local, below
everything else: a name that ``env_vars``, a secret or the stack sets keeps that value, as
``load_dotenv()`` never overrides the environment either. Values are never logged.

The syntax is python-dotenv's, as far as such files use it: ``KEY=value`` lines, ``export``
before the key, ``#`` comments (whole lines, or after a space in an unquoted value), single
quotes (taken literally) and double quotes (with ``\\n``, ``\\t``, ``\\"`` and ``\\\\``), and
``${NAME}`` / ``${NAME:-default}`` in unquoted and double-quoted values, from the environment
first, then from the lines above. A line it cannot read is skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from gaiaflow.core.settings import ENV_DOTENV, stack_credentials

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_EXPAND = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def parse(text: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the variables of a .env file's text, in file order."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}

    def expand(value: str) -> str:
        def one(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            found = environ.get(name, values.get(name))
            return found if found else (default or "")

        return _EXPAND.sub(one, value)

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export ") or line.startswith("export\t"):
            line = line[len("export") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            continue
        value = value.strip()
        if value[:1] == "'" and value.count("'") >= 2:
            values[key] = value[1 : value.index("'", 1)]
        elif value[:1] == '"':
            out, i = [], 1
            while i < len(value) and value[i] != '"':
                if value[i] == "\\" and i + 1 < len(value):
                    out.append(_ESCAPES.get(value[i + 1], "\\" + value[i + 1]))
                    i += 2
                else:
                    out.append(value[i])
                    i += 1
            if i >= len(value):
                continue  # no closing quote: python-dotenv would read further lines
            values[key] = expand("".join(out))
        else:
            comment = re.search(r"\s#", value)
            if comment:
                value = value[: comment.start()].rstrip()
            values[key] = expand(value)
    return values


def project_dotenv(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables of the project's .env (``$GAIAFLOW_DOTENV``); empty when there is none."""
    environ = os.environ if environ is None else environ
    path = environ.get(ENV_DOTENV)
    if not path:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:  # no .env, or an unreadable one: nothing to add
        return {}
    return parse(text, environ)


def below(taken: Mapping[str, object], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The project's .env variables whose names ``taken`` (what outranks them) does not hold.

    The stack's S3 keys outrank the file too when they are in its shared credentials file rather
    than in variables: the original template's .env holds keys of its own (placeholders), and
    boto3 would take those variables over the stack's file.
    """
    environ = os.environ if environ is None else environ
    outrank = {**stack_credentials(environ), **taken}
    return {k: v for k, v in project_dotenv(environ).items() if k not in outrank}
