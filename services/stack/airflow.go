package stack

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// Airflow's containers. Processes run as `airflow <subcommand>` with the
// image's own entrypoint, which works with the official image and with
// images derived from it.
const (
	airflowAPIPort = 8080
	airflowUID     = 50000 // the airflow user of the official image
	// airflowProjectDir is where the project is mounted, read-only: the
	// Airflow runtime image of services/build points its task environment at
	// the package there (src/<package> or <package>), and tasks find the
	// project's .env there.
	airflowProjectDir = "/opt/gaiaflow/project"
	airflowDagsMount  = "/opt/airflow/dags"
	// airflowDataMount is where the original tool mounted data/ (its tasks
	// ran in /opt/airflow, so "data/..." resolved there too).
	airflowDataMount = "/opt/airflow/data"
	authManager      = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
	// DAG folder refresh: the default of 300 s makes a new DAG file take five
	// minutes to appear, far too slow for a development loop.
	dagRefreshSeconds = "10"
)

// Network names every container of the stack resolves.
const (
	mlflowURL = "http://mlflow:5000"
	minioURL  = "http://minio:9000"
)

func (b *builder) airflow() {
	cfg, creds, svc := b.in.Config, b.in.Creds, b.in.Config.Services.Airflow
	pg := b.postgres("airflow", svc.DBImage, creds.AirflowDBPassword)
	image := b.in.AirflowImage
	dbConn := fmt.Sprintf("postgresql+psycopg2://airflow:%s@%s:5432/airflow", creds.AirflowDBPassword, pg.Component)

	// The database migration needs only the database settings, so a mode
	// switch, which changes the others, does not rerun it. Every secret is
	// a file Airflow reads through the setting's _CMD variant.
	dbEnv := []string{
		cmdEnv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", secretSQLAlchemyConn),
		cmdEnv("AIRFLOW__CORE__FERNET_KEY", secretFernetKey),
		"AIRFLOW__CORE__EXECUTOR=LocalExecutor",
		"AIRFLOW__CORE__AUTH_MANAGER=" + authManager,
		"AIRFLOW__CORE__LOAD_EXAMPLES=False",
		// The official image's entrypoint runs `airflow db check` (and for
		// a scheduler `airflow config get-value core executor`) before
		// every command unless this is 0: a second and a third Python
		// start of Airflow per container, seconds each, for what the start
		// order already ensures (the database is ready before anything of
		// Airflow starts).
		"CONNECTION_CHECK_MAX_COUNT=0",
	}
	dbFiles := []docker.File{
		secretFile(secretSQLAlchemyConn, dbConn, airflowUID, 0),
		secretFile(secretFernetKey, creds.FernetKey, airflowUID, 0),
	}
	init := &Node{
		Service: "airflow", Component: "airflow-init", ImageKey: "services.airflow.image", OneShot: true,
		Spec:  docker.ContainerSpec{Image: image, Cmd: []string{"airflow", "db", "migrate"}, Env: dbEnv},
		Deps:  []Dep{{pg.Component, Healthy}},
		Ready: Readiness{Kind: ReadyExit},
	}
	addFiles(init, dbFiles...)
	b.add(init)

	labels, _ := json.Marshal(map[string]string{LabelProject: b.in.ID})
	env := append([]string{}, dbEnv...)
	env = append(env,
		cmdEnv("AIRFLOW__API_AUTH__JWT_SECRET", secretJWT),
		cmdEnv("AIRFLOW__API__SECRET_KEY", secretAPIKey),
		fmt.Sprintf("AIRFLOW__API__BASE_URL=http://localhost:%d", svc.Port),
		"AIRFLOW__API__WORKERS=1",
		fmt.Sprintf("AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://airflow-api-server:%d/execution/", airflowAPIPort),
		"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="+creds.AirflowAdminUser+":admin",
		"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="+secretPath(secretAirflowPasswords),
		"AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="+dagRefreshSeconds,
		// Airflow writes a changed DAG to its database at most every 30 s
		// by default, so a DAG edited, or parsed again under a new mode
		// right after the stack started, kept its old form for up to
		// half a minute more: runs started meanwhile recorded the old
		// mode's operators. A local stack's few DAGs are written only
		// when they change anyway.
		"AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL=0",
		"PYTHONDONTWRITEBYTECODE=1",
		"GAIAFLOW_MODE="+cfg.Mode,
		"GAIAFLOW_DOCKER_NETWORK="+b.plan.Network,
		"GAIAFLOW_DOCKER_LABELS="+string(labels),
		"MLFLOW_TRACKING_URI="+mlflowURL,
		"MLFLOW_S3_ENDPOINT_URL="+minioURL,
		"AWS_SHARED_CREDENTIALS_FILE="+secretPath(secretAWS),
		"AWS_DEFAULT_REGION=us-east-1",
	)
	files := append(dbFiles,
		secretFile(secretJWT, creds.JWTSecret, airflowUID, 0),
		secretFile(secretAPIKey, derive(creds.JWTSecret, "api secret key"), airflowUID, 0),
		secretFile(secretAWS, awsCredentials(creds), airflowUID, 0),
	)
	// Tasks of dev_docker run in containers the engine starts for
	// Airflow: they get the state directory's copy mounted.
	if cfg.Mode == "dev_docker" && b.in.TaskCredentials != "" {
		env = append(env, "GAIAFLOW_DOCKER_AWS_CREDENTIALS="+b.in.TaskCredentials)
	}
	namespace := "default"
	var networks []string
	if l := b.in.Cluster; l != nil {
		// Tasks run as pods in the cluster: Airflow joins its network to
		// reach the API server, and pods reach MLflow and MinIO through
		// the host's address in the cluster.
		if l.Namespace != "" {
			namespace = l.Namespace
		}
		if l.Network != "" {
			networks = []string{l.Network}
		}
		files = append(files, at(KubeconfigPath, l.Kubeconfig, 0o600, airflowUID, 0))
		env = append(env,
			"GAIAFLOW_KUBECONFIG="+KubeconfigPath,
			"GAIAFLOW_POD_MLFLOW_TRACKING_URI="+podURL(l, cfg.Services.MLflow.Port),
			"GAIAFLOW_POD_MLFLOW_S3_ENDPOINT_URL="+podURL(l, cfg.Services.Minio.Port),
		)
	}
	env = append(env, "GAIAFLOW_K8S_NAMESPACE="+namespace)
	if b.in.TaskImage != "" {
		env = append(env, "GAIAFLOW_IMAGE="+b.in.TaskImage)
	}
	if b.in.TaskPython != "" {
		env = append(env, "GAIAFLOW_TASK_PYTHON="+b.in.TaskPython)
	}

	// The project is mounted read-only: Airflow only reads it, and Python
	// must not drop __pycache__ directories owned by another user into it.
	mounts := []docker.Mount{{Type: "volume", Source: b.volume("airflow", "airflow-logs"), Target: "/opt/airflow/logs"}}
	l := b.in.Layout
	if l.Dags != "" {
		mounts = append(mounts, docker.Mount{Type: "bind", Source: l.Dags, Target: airflowDagsMount, ReadOnly: true})
	}
	if l.Plugins != "" {
		mounts = append(mounts, docker.Mount{Type: "bind", Source: l.Plugins, Target: "/opt/airflow/plugins", ReadOnly: true})
	}
	mounts = append(mounts, docker.Mount{Type: "bind", Source: b.in.Dir, Target: airflowProjectDir, ReadOnly: true})
	// Tasks read the project's .env when they run (gaiaflow's library adds
	// it to their environment in every mode); a file that appears later
	// counts too.
	env = append(env, "GAIAFLOW_DOTENV="+airflowProjectDir+"/.env")
	if l.Package != "" {
		root := airflowProjectDir
		if l.SrcLayout {
			root += "/src"
		}
		env = append(env, "PYTHONPATH="+root)
	}
	if l.Data != "" {
		mounts = append(mounts, docker.Mount{Type: "bind", Source: l.Data, Target: airflowDataMount, ReadOnly: true})
		// dev_docker's task containers mount it from the host too.
		env = append(env, "GAIAFLOW_HOST_DATA_DIR="+l.Data)
	}
	var groups []string
	// Tasks of dev_docker start sibling containers through the engine's
	// socket; no other mode gets it.
	if cfg.Mode == "dev_docker" && b.in.DockerSocket != "" {
		mounts = append(mounts, docker.Mount{Type: "bind", Source: b.in.DockerSocket, Target: "/var/run/docker.sock"})
		if b.in.SocketGID != "" {
			groups = []string{b.in.SocketGID}
		}
	}

	health := func(check string) Readiness {
		return Readiness{Kind: ReadyHTTP, Via: "airflow-api-server", Port: airflowAPIPort, Path: "/api/v2/monitor/health", Check: check}
	}
	passwords, _ := json.Marshal(map[string]string{creds.AirflowAdminUser: creds.AirflowAdminPassword})
	for _, c := range []struct {
		component, sub, check string
	}{
		{"airflow-api-server", "api-server", checkAirflowDB},
		{"airflow-scheduler", "scheduler", checkAirflowScheduler},
		{"airflow-dag-processor", "dag-processor", checkAirflowDagProcessor},
		{"airflow-triggerer", "triggerer", checkAirflowTriggerer},
	} {
		n := &Node{
			Service: "airflow", Component: c.component, ImageKey: "services.airflow.image",
			Spec: docker.ContainerSpec{Image: image, Cmd: []string{"airflow", c.sub}, Env: append([]string{}, env...),
				Mounts: mounts, GroupAdd: groups, ExtraHosts: []string{"host.docker.internal:host-gateway"},
				ExtraNetworks: networks},
			Deps:  []Dep{{"airflow-init", Completed}},
			Ready: health(c.check),
		}
		addFiles(n, files...)
		if c.sub == "api-server" {
			n.Spec.Ports = []docker.PortBinding{published(airflowAPIPort, svc.Port)}
			n.URLs = []URL{{Name: "Airflow", URL: localURL(svc.Port, "")}}
			// The simple auth manager reads its users' passwords from a
			// file it opens for writing too (to add a missing user): the
			// one secret file its owner may write.
			addFiles(n, at(secretPath(secretAirflowPasswords), append(passwords, '\n'), 0o600, airflowUID, 0))
		}
		b.add(n)
	}
}

// derive makes a secret for one purpose from another, so one stored secret
// serves several settings without their sharing a value.
func derive(secret, purpose string) string {
	sum := sha256.Sum256([]byte("gaiaflow\x00" + purpose + "\x00" + secret))
	return hex.EncodeToString(sum[:])
}
