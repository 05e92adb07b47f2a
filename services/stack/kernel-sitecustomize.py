"""gaiaflow: the stack's S3 keys as variables in JupyterLab's kernel.

The stack keeps the keys out of the container's environment (``docker inspect`` shows it) and
in boto3's shared credentials file, named by ``AWS_SHARED_CREDENTIALS_FILE``. Notebooks of the
original gaiaflow template call ``load_dotenv()``, and their ``.env`` holds keys of its own: as
variables they would win over the file. ``load_dotenv()`` never overrides a variable that is
set, so the kernel sets the stack's keys as variables first. Python imports this module when it
starts (``site``); the setup puts its folder first on the kernel's ``PYTHONPATH``. It shadows
the interpreter's own sitecustomize, if any (Debian's only installs apport's exception hook).
"""

import configparser as _configparser
import os as _os


def _stack_keys() -> None:
    path = _os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
    if not path:
        return
    parser = _configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path)
    except (_configparser.Error, OSError):
        return
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        value = parser.get("default", name.lower(), fallback="")
        if value:
            _os.environ.setdefault(name, value)


_stack_keys()
