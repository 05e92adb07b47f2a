# The task image of the gaiaflow project {{.Project}}, written by gaiaflow {{.GaiaflowVersion}}.
#
# To change it, save it as Dockerfile at the project's root and edit it:
# gaiaflow then builds that file as it is. The build context is the project
# (after .dockerignore and the always-excluded paths) plus gaiaflow's files in
# .gaiaflow/: this file, the gaiaflow wheel, the collected requirements and
# the entry point.
FROM {{.BaseImage}}

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A virtual environment of its own: the base image's Python stays as it is,
# and `python` names this environment whatever the base calls its interpreter.
RUN python3 -m venv /opt/gaiaflow/venv
ENV VIRTUAL_ENV=/opt/gaiaflow/venv \
    PATH=/opt/gaiaflow/venv/bin:$PATH
COPY .gaiaflow/entrypoint.sh /usr/local/bin/gaiaflow-entrypoint
{{- if .Conda}}

# The project's conda packages, solved from its channels and linked into the
# environment by py-rattler, which lives only for this step; the
# environment's own interpreter stands in for conda's python.
COPY .gaiaflow/conda.json .gaiaflow/conda-env.py /opt/gaiaflow/deps/
RUN python3 -m venv /tmp/gaiaflow-rattler \
 && /tmp/gaiaflow-rattler/bin/pip install py-rattler=={{.RattlerVersion}} \
 && /tmp/gaiaflow-rattler/bin/python /opt/gaiaflow/deps/conda-env.py /opt/gaiaflow/deps/conda.json /opt/gaiaflow/venv \
 && rm -rf /tmp/gaiaflow-rattler
{{- end}}

# The project's dependencies and its build backend, in a layer of their own:
# a change to the code alone reuses it. --upgrade, as build isolation would:
# the venv may come with an old setuptools that cannot build wheels.
COPY .gaiaflow/requirements.txt .gaiaflow/build-requirements.txt{{if .Constraints}} .gaiaflow/constraints.txt{{end}} /opt/gaiaflow/deps/
RUN pip install --upgrade -r /opt/gaiaflow/deps/build-requirements.txt -r /opt/gaiaflow/deps/requirements.txt{{if .Constraints}} -c /opt/gaiaflow/deps/constraints.txt{{end}}

# The gaiaflow library at the version of the gaiaflow that built this image;
# it holds the task runner.
COPY .gaiaflow/{{.Wheel}} /opt/gaiaflow/lib/
RUN pip install --no-deps /opt/gaiaflow/lib/{{.Wheel}}

# The project's package.
COPY . /opt/gaiaflow/project/
WORKDIR /opt/gaiaflow/project
{{- if .DynamicDependencies}}
# pyproject.toml computes its dependencies, so they are installed here, with the code.
RUN pip install --no-build-isolation{{if .Constraints}} -c /opt/gaiaflow/deps/constraints.txt{{end}} .
{{- else}}
RUN pip install --no-deps --no-build-isolation .
{{- end}}

# Without arguments: the task runner (python -m gaiaflow.runner).
ENTRYPOINT ["/usr/local/bin/gaiaflow-entrypoint"]
