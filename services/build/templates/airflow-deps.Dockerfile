# The dependency image of gaiaflow's Airflow runtime images, written by gaiaflow
# {{.GaiaflowVersion}}: the Airflow image, a task environment with the project's
# dependencies, and the gaiaflow library. Every project whose dependencies,
# Airflow image and library are the same builds FROM this one image, so only
# the first of them waits for pip; gaiaflow builds it when no image of the same
# inputs exists.
FROM {{.AirflowImage}}

USER root
# Python writes no bytecode caches, so none lands in the mounted project
# (gaiaflow never drops files into it), and reads the ones pip compiled into
# the image: a cache prefix would hide those and make every new container
# compile Airflow and its providers again (15-25 s for the Kubernetes
# provider alone, against 3 s). pip keeps no download cache in the image.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The task environment: the project's dependencies apart from Airflow's, for
# tasks in dev mode (GAIAFLOW_TASK_PYTHON={{.TaskVenv}}/bin/python). PIP_USER=0:
# Airflow images may set PIP_USER, which a virtual environment refuses.
RUN python3 -m venv {{.TaskVenv}}
{{- if .Conda}}

# The project's conda packages, solved from its channels and linked into the
# task environment by py-rattler, which lives only for this step; the
# environment's own interpreter stands in for conda's python.
COPY .gaiaflow/conda.json .gaiaflow/conda-env.py /opt/gaiaflow/deps/
RUN python3 -m venv /tmp/gaiaflow-rattler \
 && PIP_USER=0 /tmp/gaiaflow-rattler/bin/pip install py-rattler=={{.RattlerVersion}} \
 && /tmp/gaiaflow-rattler/bin/python /opt/gaiaflow/deps/conda-env.py /opt/gaiaflow/deps/conda.json {{.TaskVenv}} \
 && rm -rf /tmp/gaiaflow-rattler
{{- end}}
{{- if .Requirements}}
COPY .gaiaflow/requirements.txt{{if .Constraints}} .gaiaflow/constraints.txt{{end}} /opt/gaiaflow/deps/
RUN PIP_USER=0 {{.TaskVenv}}/bin/pip install -r /opt/gaiaflow/deps/requirements.txt{{if .Constraints}} -c /opt/gaiaflow/deps/constraints.txt{{end}}
{{- end}}

# The gaiaflow library in the task environment.
COPY .gaiaflow/{{.Wheel}} /opt/gaiaflow/lib/
RUN PIP_USER=0 {{.TaskVenv}}/bin/pip install --no-deps /opt/gaiaflow/lib/{{.Wheel}}

# The gaiaflow library in Airflow's own environment (for create_task in DAGs),
# installed as the image's user the way the Airflow image expects.
{{- if .User}}
USER {{.User}}
{{- end}}
RUN pip install --no-deps /opt/gaiaflow/lib/{{.Wheel}}
