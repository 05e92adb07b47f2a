package project

import (
	"fmt"
	"regexp"
)

// The versions the default images run. Bumping one is one change here:
// e2e/kit's tests then say what the image kit (e2e/images) must follow, and
// the e2e suite checks every Reliance below on the kit's images.
const (
	AirflowVersion    = "3.3.2"
	MLflowVersion     = "3.17.0"
	PostgresVersion   = "17.12"
	PostgresMajor     = "17"
	MinioRelease      = "RELEASE.2025-09-07T16-13-09Z"
	JupyterLabVersion = "4.6.1"
	// jupyterTag is the docker-stacks date tag that carries JupyterLab
	// JupyterLabVersion (quay aliases it lab-4.6.1).
	jupyterTag = "2026-07-06"
)

// Default images that do not depend on the project's Python.
const (
	DefaultPostgresImage = "postgres:" + PostgresVersion
	DefaultMLflowImage   = "ghcr.io/mlflow/mlflow:v" + MLflowVersion + "-full"
	DefaultMinioImage    = "quay.io/minio/minio:" + MinioRelease
	DefaultJupyterImage  = "quay.io/jupyter/scipy-notebook:" + jupyterTag
)

// DefaultAirflowImage is the official Airflow image for the project's Python
// (gaiaflow.toml's python): tasks in dev mode run on the Airflow image's
// interpreter, so it must be the Python the project declares.
func DefaultAirflowImage(python string) string {
	return "apache/airflow:" + AirflowVersion + "-python" + python
}

// DefaultBaseImage is the base of task images for the project's Python.
func DefaultBaseImage(python string) string { return "python:" + python + "-slim" }

// DefaultImage is one image gaiaflow runs unless gaiaflow.toml names
// another: where its publication was seen, and what the stack relies on
// inside it.
type DefaultImage struct {
	Key     string // the gaiaflow.toml key that overrides it
	Ref     string
	Program string // what runs in it, with its version
	// Seen is where the tag's publication was seen (never a guessed tag),
	// and when.
	Seen   string
	Relies []Reliance
}

// Reliance is one thing the stack relies on inside an image, with the
// command that shows it holds: Cmd run in a fresh container of the image
// (through Entrypoint when set, else the image's own entry point, as the
// stack runs it) prints output matching Want and exits 0. Relies without a
// Cmd need a running container and are checked by the e2e suite's own code,
// keyed by ID.
type Reliance struct {
	ID         string
	What       string   // what the stack relies on
	Kit        string   // how the image kit (e2e/images) reproduces it
	Entrypoint []string // overrides the image's entry point for the check
	Cmd        []string
	Want       string // a regular expression the output must match
}

// seenOn is the day the tags below were looked up.
const seenOn = "2026-12-04"

// DefaultImages lists every default image for a project on the given Python
// ("3.10" to "3.13"), in the order of gaiaflow.toml's keys.
func DefaultImages(python string) []DefaultImage {
	pyRE := `(?m)^Python ` + regexp.QuoteMeta(python) + `\.[0-9]+$`
	return []DefaultImage{
		{
			Key: "services.airflow.image", Ref: DefaultAirflowImage(python),
			Program: fmt.Sprintf("Apache Airflow %s on Python %s", AirflowVersion, python),
			Seen: "Docker Hub apache/airflow: " + AirflowVersion + "-python3.10, -python3.11, -python3.12 and " +
				"-python3.13 are the base of public Dockerfiles and compose files (FROM apache/airflow:" +
				AirflowVersion + "-python3.1x), seen " + seenOn + "; Airflow " + AirflowVersion + " supports Python 3.10 to 3.14",
			Relies: []Reliance{
				{ID: "airflow.command", What: "the entry point runs `airflow SUBCOMMAND` (db migrate, api-server, scheduler, ...)",
					Kit: "entrypoint.sh runs airflow subcommands with or without a leading `airflow`",
					Cmd: []string{"airflow", "version"}, Want: `(?m)^` + regexp.QuoteMeta(AirflowVersion) + `$`},
				{ID: "airflow.user", What: "processes run as uid 50000, group 0 (the kubeconfig and the secret files are copied in owned by 50000:0)",
					Kit: "user airflow, uid 50000, primary group 0",
					Cmd: []string{"bash", "-c", "id -u; id -g"}, Want: `^50000\n0\n$`},
				{ID: "airflow.python", What: "python3 is Python " + python + ": the runtime image makes the task environment with it (`python3 -m venv`)",
					Kit: "Debian's python3 (the kit's Python is 3.11, so the e2e project declares python = 3.11)",
					Cmd: []string{"bash", "-c", "python3 --version && python3 -m venv /tmp/gaiaflow-venv-check"}, Want: pyRE},
				{ID: "airflow.cmd", What: "Airflow takes its sensitive settings (database URL, Fernet key, JWT and API secrets) from their _CMD variants, and `cat` is on PATH to print the secret files",
					Kit:  "the same Airflow; Debian's coreutils",
					Cmd:  []string{"bash", "-c", "printf gfcheck > /tmp/s; AIRFLOW__API_AUTH__JWT_SECRET_CMD='cat /tmp/s' airflow config get-value api_auth jwt_secret"},
					Want: `(?m)^gfcheck$`},
				{ID: "airflow.pip", What: "pip installs into Airflow's own environment as the image's user (the gaiaflow library for DAG files)",
					Kit: "the venv /opt/venv is first on PATH and group-0 writable",
					Cmd: []string{"bash", "-c", "pip --version"}, Want: `^pip `},
				{ID: "airflow.home", What: "AIRFLOW_HOME is /opt/airflow and writable (logs volume, dags and plugins mounts, the passwords file)",
					Kit: "ENV AIRFLOW_HOME=/opt/airflow, group-0 writable",
					Cmd: []string{"bash", "-c", `test "$AIRFLOW_HOME" = /opt/airflow && test -w /opt/airflow && echo ok`}, Want: `^ok\n$`},
				{ID: "airflow.providers", What: "the Postgres drivers (psycopg2, asyncpg) and the standard, docker and cncf-kubernetes providers the operators of each mode use",
					Kit:  "pinned in e2e/images/airflow/requirements.txt",
					Cmd:  []string{"python3", "-c", "import psycopg2, asyncpg, airflow.providers.standard, airflow.providers.docker, airflow.providers.cncf.kubernetes; print('ok')"},
					Want: `(?m)^ok$`},
			},
		},
		{
			Key: "services.airflow.db_image", Ref: DefaultPostgresImage,
			Program: "PostgreSQL " + PostgresVersion,
			Seen:    "Docker Hub library/postgres: `docker pull postgres:" + PostgresVersion + "` in public runbooks and tests, seen " + seenOn,
			Relies: []Reliance{
				{ID: "postgres.major", What: "PostgreSQL " + PostgresMajor + ": a data volume made by one major does not start under another",
					Kit: "Debian trixie's postgresql-" + PostgresMajor,
					Cmd: []string{"sh", "-c", "postgres --version"}, Want: `\(PostgreSQL\) ` + PostgresMajor + `\.`},
				{ID: "postgres.isready", What: "pg_isready on PATH (the engine health check)",
					Kit: "the server's bin directory is on PATH",
					Cmd: []string{"sh", "-c", "command -v pg_isready"}, Want: `pg_isready`},
				{ID: "postgres.pgdata", What: "PGDATA is /var/lib/postgresql/data, where the stack mounts the volume",
					Kit: "ENV PGDATA and VOLUME as upstream",
					Cmd: []string{"sh", "-c", `echo "$PGDATA"`}, Want: `^/var/lib/postgresql/data\n$`},
				{ID: "postgres.init", What: "on an empty volume the entry point creates POSTGRES_USER with the password in the file POSTGRES_PASSWORD_FILE names and the database POSTGRES_DB, then serves on 5432 with password authentication",
					Kit: "entrypoint.sh does the same with initdb, reading the _FILE variants like upstream's"},
				{ID: "postgres.user", What: "the server runs as postgres, uid and gid 999 (the password file is copied in owned by 999:999)",
					Kit: "the user is made with uid and gid 999 before the packages, like upstream's",
					Cmd: []string{"sh", "-c", "id -u postgres; id -g postgres"}, Want: `^999\n999\n$`},
			},
		},
		{
			Key: "services.mlflow.image", Ref: DefaultMLflowImage,
			Program: "MLflow " + MLflowVersion + " with its database and cloud extras",
			Seen: "ghcr.io/mlflow/mlflow: MLflow's docker/README.md says -full tags exist from v3.9.0 on; v" + MLflowVersion +
				"-full is the base of public Dockerfiles (FROM ghcr.io/mlflow/mlflow:v" + MLflowVersion + "-full), seen " + seenOn +
				"; MLflow " + MLflowVersion + " was released on 2026-10-06",
			Relies: []Reliance{
				{ID: "mlflow.version", What: "`mlflow server` of MLflow " + MLflowVersion + " (3.5 and later check the Host header: the stack passes the allowed hosts; `--workers`, and `MLFLOW_SERVER_ENABLE_JOB_EXECUTION`, which versions without server jobs ignore)",
					Kit: "mlflow pinned in e2e/images/mlflow/requirements.txt",
					Cmd: []string{"mlflow", "--version"}, Want: `version ` + regexp.QuoteMeta(MLflowVersion) + `\b`},
				{ID: "mlflow.drivers", What: "psycopg2 (the backend store URI is postgresql+psycopg2, its password in libpq's PGPASSFILE) and boto3 (artifacts in MinIO, the keys in AWS_SHARED_CREDENTIALS_FILE); the server runs as root, which owns those files",
					Kit: "psycopg2-binary and boto3 pinned beside mlflow",
					Cmd: []string{"python3", "-c", "import os, psycopg2, botocore.session as s; " +
						"open('/tmp/c', 'w').write('[default]\\naws_access_key_id = gfcheck\\naws_secret_access_key = x\\n'); " +
						"os.environ['AWS_SHARED_CREDENTIALS_FILE'] = '/tmp/c'; print(os.getuid(), s.Session().get_credentials().access_key)"},
					Want: `(?m)^0 gfcheck$`},
			},
		},
		{
			Key: "services.mlflow.db_image", Ref: DefaultPostgresImage,
			Program: "PostgreSQL " + PostgresVersion + " (as services.airflow.db_image)",
			Seen:    "as services.airflow.db_image",
		},
		{
			Key: "services.minio.image", Ref: DefaultMinioImage,
			Program: "MinIO " + MinioRelease,
			Seen: "quay.io/minio/minio: " + MinioRelease + " is pulled by public test code and compose files, seen " + seenOn +
				"; its git tag is commit 07c3a429bfed of github.com/minio/minio (MinIO's images left Docker Hub; quay.io keeps the pinned ones)",
			Relies: []Reliance{
				{ID: "minio.command", What: "the entry point runs `minio`, as root, with the stack's arguments (server /data --address :9000 --console-address :9001) and the root credentials from the files MINIO_ROOT_USER_FILE and MINIO_ROOT_PASSWORD_FILE name",
					Kit: "entrypoint.sh prepends minio like upstream's; the binary is built from the release's commit"},
				{ID: "minio.healthcheck", What: "curl or mc for the exported compose file's health check",
					Kit: "Debian's curl", Entrypoint: []string{"sh", "-c"},
					Cmd: []string{"command -v curl || command -v mc"}, Want: `/(curl|mc)\n$`},
			},
		},
		{
			Key: "services.jupyter.image", Ref: DefaultJupyterImage,
			Program: "JupyterLab " + JupyterLabVersion + " (Jupyter docker-stacks scipy-notebook)",
			Seen: "quay.io/jupyter/scipy-notebook: quay's tag list shows " + jupyterTag + " aliased lab-" + JupyterLabVersion +
				" and hub-5.5.0 (quoted in a public pin list), and public Dockerfiles build FROM it, seen " + seenOn,
			Relies: []Reliance{
				{ID: "jupyter.version", What: "`jupyter lab` of JupyterLab " + JupyterLabVersion,
					Kit: "jupyterlab pinned in e2e/images/jupyter/requirements.txt",
					Cmd: []string{"jupyter", "lab", "--version"}, Want: `(?m)^` + regexp.QuoteMeta(JupyterLabVersion) + `$`},
				{ID: "jupyter.user", What: "user jovyan, uid 1000, group 100, home /home/jovyan (the home volume and the project mount)",
					Kit: "the same user, group and home",
					Cmd: []string{"sh", "-c", `echo "$(id -un):$(id -u):$(id -g):$HOME"`}, Want: `^jovyan:1000:100:/home/jovyan\n$`},
				{ID: "jupyter.config", What: "the server takes its token from jupyter_server_config.json in a directory of JUPYTER_CONFIG_PATH (IdentityProvider.token, jupyter_server 2)",
					Kit:        "jupyter_server from JupyterLab's pins",
					Entrypoint: []string{"sh", "-c"},
					Cmd: []string{`mkdir -p /tmp/c && printf '{"IdentityProvider":{"token":"gfcheck"}}' > /tmp/c/jupyter_server_config.json && ` +
						`JUPYTER_CONFIG_PATH=/tmp/c python3 -c 'from jupyter_server.serverapp import ServerApp; a = ServerApp(); a.initialize(argv=[]); print("token", a.identity_provider.token)'`},
					Want: `(?m)^token gfcheck$`},
				{ID: "jupyter.sitecustomize", What: "python3 imports sitecustomize from the first folder on PYTHONPATH: the kernel's sets the stack's S3 keys as variables for notebooks",
					Kit:        "Debian's python3 in the venv",
					Entrypoint: []string{"sh", "-c"},
					Cmd:        []string{`mkdir -p /tmp/s && echo 'print("sitecustomize gfcheck")' > /tmp/s/sitecustomize.py && PYTHONPATH=/tmp/s python3 -c pass`},
					Want:       `(?m)^sitecustomize gfcheck$`},
				{ID: "jupyter.pip", What: "pip installs the project's dependencies with --target into the home volume; python3 runs the health check",
					Kit: "the venv's pip and python3",
					Cmd: []string{"sh", "-c", "pip --version && python3 -c 'import urllib.request'"}, Want: `^pip `},
			},
		},
		{
			Key: "build.base_image", Ref: DefaultBaseImage(python),
			Program: "Python " + python + " (the task images' base)",
			Seen:    "Docker Hub library/python: X.Y-slim tags follow every supported CPython minor (FROM python:3.10-slim to python:3.13-slim in public Dockerfiles), seen " + seenOn,
			Relies: []Reliance{
				{ID: "base.python", What: "python3 is Python " + python + " with venv and ensurepip (the task image makes its own venv); /bin/sh runs the entry point",
					Kit: "the kit's python image: Debian's python3 3.11 with python3-venv",
					Cmd: []string{"sh", "-c", "python3 --version && python3 -m venv /tmp/gaiaflow-venv-check"}, Want: pyRE},
			},
		},
	}
}
