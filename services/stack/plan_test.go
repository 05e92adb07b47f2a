package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func testInput(mode string) Input {
	cfg := project.Default("demo", "demo")
	cfg.Mode = mode
	return Input{
		ID: "demo-1a2b3c4d", Dir: "/home/me/demo", Config: cfg,
		Creds: project.Credentials{AirflowAdminUser: "admin", AirflowAdminPassword: "ADMINPW", AirflowDBPassword: "AFDBPW",
			MLflowDBPassword: "MLDBPW", S3AccessKey: "S3KEY", S3SecretKey: "S3SECRET", JWTSecret: "JWTSECRET",
			FernetKey: "FERNET", JupyterToken: "JUPYTERTOKEN"},
		Layout:       Layout{Dags: "/home/me/demo/dags", Package: "/home/me/demo/src/demo", SrcLayout: true, Data: "/home/me/demo/data", Owner: "1234:5678"},
		Jupyter:      build.KernelDeps{Requirements: []string{"pandas>=2"}},
		TaskImage:    "demo:0.1.0",
		TaskPython:   defaultTaskPy,
		DockerSocket: "/var/run/docker.sock", SocketGID: "998",
	}
}

func env(n *Node) map[string]string {
	m := map[string]string{}
	for _, e := range n.Spec.Env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
	}
	return m
}

func TestPlanAirflowContract(t *testing.T) {
	plan := BuildPlan(testInput("dev"))
	var jwt []string
	if e := env(plan.Node("airflow-init")); e["CONNECTION_CHECK_MAX_COUNT"] != "0" {
		t.Errorf("airflow-init: CONNECTION_CHECK_MAX_COUNT = %q", e["CONNECTION_CHECK_MAX_COUNT"])
	}
	for _, c := range []string{"airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"} {
		n := plan.Node(c)
		e := env(n)
		want := map[string]string{
			"GAIAFLOW_MODE":                            "dev",
			"GAIAFLOW_IMAGE":                           "demo:0.1.0",
			"GAIAFLOW_TASK_PYTHON":                     "/opt/gaiaflow/task-venv/bin/python",
			"GAIAFLOW_DOCKER_NETWORK":                  "demo-1a2b3c4d_default",
			"GAIAFLOW_K8S_NAMESPACE":                   "default",
			"MLFLOW_TRACKING_URI":                      "http://mlflow:5000",
			"MLFLOW_S3_ENDPOINT_URL":                   "http://minio:9000",
			"AWS_SHARED_CREDENTIALS_FILE":              SecretsDir + "/aws-credentials",
			"AIRFLOW__CORE__EXECUTOR":                  "LocalExecutor",
			"AIRFLOW__CORE__EXECUTION_API_SERVER_URL":  "http://airflow-api-server:8080/execution/",
			"AIRFLOW__CORE__FERNET_KEY_CMD":            "cat " + SecretsDir + "/fernet_key",
			"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD":  "cat " + SecretsDir + "/sql_alchemy_conn",
			"AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
			// A DAG parsed again (a new mode, an edit) reaches the
			// database at once, not up to 30 s later.
			"AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "0",
			"PYTHONPATH":             "/opt/gaiaflow/project/src",
			"GAIAFLOW_DOTENV":        "/opt/gaiaflow/project/.env",
			"GAIAFLOW_HOST_DATA_DIR": "/home/me/demo/data",
			// The official entrypoint's own checks are off: the start
			// order makes them redundant, and each costs a start of Airflow.
			"CONNECTION_CHECK_MAX_COUNT": "0",
		}
		for k, v := range want {
			if e[k] != v {
				t.Errorf("%s: %s = %q, want %q", c, k, e[k], v)
			}
		}
		jwt = append(jwt, string(fileAt(n, SecretsDir+"/jwt_secret").Data))
		for name, want := range map[string]string{
			"sql_alchemy_conn": "postgresql+psycopg2://airflow:AFDBPW@postgres-airflow:5432/airflow",
			"fernet_key":       "FERNET",
			"aws-credentials":  "[default]\naws_access_key_id = S3KEY\naws_secret_access_key = S3SECRET\n",
		} {
			f := fileAt(n, SecretsDir+"/"+name)
			if f == nil || string(f.Data) != want || f.Mode != 0o400 || f.UID != airflowUID || f.GID != 0 {
				t.Errorf("%s: secret file %s = %+v", c, name, f)
			}
		}
		if !strings.HasPrefix(strings.Join(n.Spec.Cmd, " "), "airflow ") {
			t.Errorf("%s runs %v", c, n.Spec.Cmd)
		}
		var labels map[string]string
		if err := json.Unmarshal([]byte(e["GAIAFLOW_DOCKER_LABELS"]), &labels); err != nil || labels[LabelProject] != "demo-1a2b3c4d" {
			t.Errorf("GAIAFLOW_DOCKER_LABELS = %q", e["GAIAFLOW_DOCKER_LABELS"])
		}
		for _, m := range n.Spec.Mounts {
			if m.Type == "bind" && strings.HasPrefix(m.Source, "/home/me/demo") && !m.ReadOnly {
				t.Errorf("%s mounts the project read-write: %+v", c, m)
			}
			if m.Target == "/var/run/docker.sock" {
				t.Errorf("%s gets the docker socket in dev mode", c)
			}
		}
		// The project read-only where the runtime image looks for its package
		// and tasks for .env; data/ where the original tool had it.
		for target, source := range map[string]string{"/opt/gaiaflow/project": "/home/me/demo", "/opt/airflow/data": "/home/me/demo/data"} {
			if !slices.ContainsFunc(n.Spec.Mounts, func(m dockerMount) bool { return m.Target == target && m.Source == source && m.ReadOnly }) {
				t.Errorf("%s: %s not mounted at %s: %+v", c, source, target, n.Spec.Mounts)
			}
		}
	}
	if u := slices.Compact(slices.Clone(jwt)); len(u) != 1 || u[0] != "JWTSECRET" {
		t.Errorf("JWT secrets differ: %v", jwt)
	}
	api := plan.Node("airflow-api-server")
	pw := fileAt(api, SecretsDir+"/airflow-passwords.json")
	if pw == nil || !strings.Contains(string(pw.Data), `"admin":"ADMINPW"`) || pw.Mode != 0o600 {
		t.Errorf("passwords file = %+v", pw)
	}
	if e := env(api); e["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] != "admin:admin" || e["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] != SecretsDir+"/airflow-passwords.json" {
		t.Errorf("auth settings: %v", e)
	}
	// Only the api-server gets the admin's password.
	if fileAt(plan.Node("airflow-scheduler"), SecretsDir+"/airflow-passwords.json") != nil {
		t.Error("the scheduler gets the passwords file")
	}
	// No secret is in any container's environment or command line.
	for _, n := range plan.Nodes {
		var values []string
		for _, e := range n.Spec.Env {
			_, v, _ := strings.Cut(e, "=")
			values = append(values, v)
		}
		spec := strings.Join(append(values, n.Spec.Cmd...), " ")
		for _, secret := range []string{"ADMINPW", "AFDBPW", "MLDBPW", "S3KEY", "S3SECRET", "JWTSECRET", "FERNET", "JUPYTERTOKEN", derive("JWTSECRET", "api secret key")} {
			if strings.Contains(spec, secret) {
				t.Errorf("%s: %s is in its environment or command", n.Component, secret)
			}
		}
	}
	// The migration does not depend on the mode.
	initNode := plan.Node("airflow-init")
	if e := env(initNode); e["GAIAFLOW_MODE"] != "" || !initNode.OneShot || initNode.Deps[0].Component != "postgres-airflow" {
		t.Errorf("init = %+v", initNode)
	}
}

type dockerMount = docker.Mount

func imageInfo(labels map[string]string, env []string) docker.ImageInfo {
	return docker.ImageInfo{ID: "sha256:x", Labels: labels, Env: env}
}

func TestPlanDevDockerMountsTheSocket(t *testing.T) {
	plan := BuildPlan(testInput("dev_docker"))
	for _, n := range plan.Services([]string{"airflow"}) {
		has := slices.ContainsFunc(n.Spec.Mounts, func(m dockerMount) bool { return m.Target == "/var/run/docker.sock" })
		if n.OneShot && has {
			t.Errorf("%s gets the socket", n.Component)
		}
		if !n.OneShot && n.Component != "postgres-airflow" && (!has || !slices.Equal(n.Spec.GroupAdd, []string{"998"})) {
			t.Errorf("%s: socket %v, groups %v", n.Component, has, n.Spec.GroupAdd)
		}
	}
	// Only the mode-dependent containers change when switching modes.
	dev := BuildPlan(testInput("dev"))
	for _, n := range plan.Nodes {
		same := configHash(n, "img") == configHash(dev.Node(n.Component), "img")
		mustChange := n.Service == "airflow" && !n.OneShot && n.Component != "postgres-airflow"
		if same == mustChange {
			t.Errorf("%s: hash unchanged = %v across a mode switch", n.Component, same)
		}
	}
}

func TestPlanSafety(t *testing.T) {
	in := testInput("dev_docker")
	plan := BuildPlan(in)
	secrets := []string{"ADMINPW", "AFDBPW", "MLDBPW", "S3SECRET", "JWTSECRET", "FERNET", "JUPYTERTOKEN"}
	for _, n := range plan.Nodes {
		for _, p := range n.Spec.Ports {
			if p.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %d on %q", n.Component, p.HostPort, p.HostIP)
			}
		}
		cmd := strings.Join(n.Spec.Cmd, " ")
		for _, s := range secrets {
			if strings.Contains(cmd, s) {
				t.Errorf("%s has a secret on its command line: %s", n.Component, cmd)
			}
		}
		if n.Spec.Labels[LabelProject] != in.ID || n.Spec.Labels[LabelService] != n.Service ||
			n.Spec.Labels["com.docker.compose.project"] != in.ID || n.Spec.Labels["com.docker.compose.service"] != n.Component {
			t.Errorf("%s labels = %v", n.Component, n.Spec.Labels)
		}
		if !strings.HasPrefix(n.Spec.Name, in.ID+"-") || n.Spec.Network != in.ID+"_default" || !slices.Contains(n.Spec.Aliases, n.Component) {
			t.Errorf("%s: name %q network %q aliases %v", n.Component, n.Spec.Name, n.Spec.Network, n.Spec.Aliases)
		}
		for _, m := range n.Spec.Mounts {
			if m.Type != "volume" || strings.HasPrefix(m.Source, in.ID+"_") {
				continue
			}
			// A volume every project shares (pip's cache, JupyterLab's
			// environments) is written only by a one-shot setup that
			// holds no secret, read only by anything else, and listed
			// as shared so that cleanup leaves it.
			shared := slices.ContainsFunc(plan.Volumes, func(v Volume) bool { return v.Name == m.Source && v.Shared() })
			if !shared || (!n.OneShot && !m.ReadOnly) || (n.OneShot && len(secretFiles(n)) > 0) {
				t.Errorf("%s mounts a volume not named for the project: %s", n.Component, m.Source)
			}
		}
		for _, e := range n.Spec.Env {
			if strings.Contains(e, "minio123") || strings.HasSuffix(e, "=admin:admin") && !strings.HasPrefix(e, "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS") {
				t.Errorf("%s: default credential %s", n.Component, e)
			}
		}
	}
}

// MLflow runs one worker and no server-side jobs unless gaiaflow.toml asks:
// MLflow 3's defaults (4 workers, a job runner with 7 consumers) hold about
// 3 GB and slow its start on a laptop.
func TestPlanMLflowWorkersAndJobs(t *testing.T) {
	in := testInput("dev")
	ml := BuildPlan(in).Node("mlflow")
	if cmd := strings.Join(ml.Spec.Cmd, " "); !strings.Contains(cmd, "--workers 1 ") {
		t.Errorf("default cmd = %s", cmd)
	}
	if e := env(ml); e["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] != "false" {
		t.Errorf("default jobs = %q", e["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"])
	}
	on := true
	in.Config.Services.MLflow.Workers, in.Config.Services.MLflow.Jobs = 3, &on
	ml = BuildPlan(in).Node("mlflow")
	if cmd := strings.Join(ml.Spec.Cmd, " "); !strings.Contains(cmd, "--workers 3 ") {
		t.Errorf("cmd = %s", cmd)
	}
	if e := env(ml); e["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] != "true" {
		t.Errorf("jobs = %q", e["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"])
	}
}

func TestPlanMLflowAndMinio(t *testing.T) {
	plan := BuildPlan(testInput("dev"))
	ml := plan.Node("mlflow")
	e := env(ml)
	if e["MLFLOW_S3_ENDPOINT_URL"] != "http://minio:9000" {
		t.Errorf("mlflow env = %v", e)
	}
	if !strings.Contains(e["MLFLOW_SERVER_ALLOWED_HOSTS"], "mlflow:*") {
		t.Errorf("allowed hosts = %q", e["MLFLOW_SERVER_ALLOWED_HOSTS"])
	}
	if cmd := strings.Join(ml.Spec.Cmd, " "); !strings.Contains(cmd, "--serve-artifacts") || !strings.Contains(cmd, "s3://mlflow") {
		t.Errorf("mlflow cmd = %s", cmd)
	}
	if !slices.Contains(ml.Deps, Dep{"minio", Healthy}) || !slices.Contains(ml.Deps, Dep{"postgres-mlflow", Healthy}) {
		t.Errorf("mlflow deps = %v", ml.Deps)
	}
	mi := plan.Node("minio")
	if mi.Bucket != "mlflow" || len(mi.Spec.Ports) != 2 || env(mi)["MINIO_ROOT_PASSWORD_FILE"] != SecretsDir+"/minio-root-password" {
		t.Errorf("minio = %+v", mi)
	}
	if f := fileAt(mi, SecretsDir+"/minio-root-password"); f == nil || string(f.Data) != "S3SECRET" || f.Mode != 0o400 {
		t.Errorf("minio password file = %+v", f)
	}
	if e := env(ml); e["MLFLOW_BACKEND_STORE_URI"] != "postgresql+psycopg2://mlflow@postgres-mlflow:5432/mlflow" || e["PGPASSFILE"] != SecretsDir+"/pgpass" {
		t.Errorf("mlflow database settings = %v", e)
	}
	if f := fileAt(ml, SecretsDir+"/pgpass"); f == nil || string(f.Data) != "postgres-mlflow:5432:mlflow:mlflow:MLDBPW\n" {
		t.Errorf("mlflow pgpass = %+v", f)
	}
}

func TestPlanJupyter(t *testing.T) {
	in := testInput("dev")
	in.JupyterPort = 9999
	plan := BuildPlan(in)
	j := plan.Node("jupyter")
	e := env(j)
	want := map[string]string{
		"JUPYTER_CONFIG_PATH": SecretsDir, "PYTHONPATH": jupyterWork + "/src", "HOME": jupyterHome,
		"PYTHONPYCACHEPREFIX": jupyterHome + "/.cache/gaiaflow-pycache",
		// The variables the original template's notebooks read, pointing at
		// the stack from inside the container.
		"J_MLFLOW_TRACKING_URI": "http://mlflow:5000", "J_MLFLOW_S3_ENDPOINT_URL": "http://minio:9000",
		"MLFLOW_TRACKING_URI": "http://mlflow:5000", "MLFLOW_S3_ENDPOINT_URL": "http://minio:9000",
		"AWS_SHARED_CREDENTIALS_FILE": SecretsDir + "/aws-credentials",
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("jupyter env %s = %q, want %q", k, e[k], v)
		}
	}
	// It runs as the project's owner, so saved notebooks are theirs.
	if j.Spec.User != "1234:5678" || slices.Contains(j.Spec.Cmd, "--allow-root") {
		t.Errorf("jupyter user %q cmd %v", j.Spec.User, j.Spec.Cmd)
	}
	// Its secret files are the owner's, whom it runs as.
	if f := fileAt(j, SecretsDir+"/jupyter_server_config.json"); f == nil || string(f.Data) != `{"IdentityProvider":{"token":"JUPYTERTOKEN"}}`+"\n" ||
		f.UID != 1234 || f.GID != 5678 || f.Mode != 0o400 {
		t.Errorf("jupyter config = %+v", f)
	}
	if f := fileAt(j, SecretsDir+"/aws-credentials"); f == nil || f.UID != 1234 || f.GID != 5678 || f.Mode != 0o400 {
		t.Errorf("jupyter aws credentials = %+v", f)
	}
	if j.Spec.Ports[0].HostPort != 9999 || j.URLs[0].URL != "http://127.0.0.1:9999/lab" {
		t.Errorf("jupyter port = %+v, urls %v", j.Spec.Ports, j.URLs)
	}
	deps := plan.Node("jupyter-deps")
	if deps == nil || deps.Spec.User != "0:0" || j.Deps[0] != (Dep{"jupyter-deps", Completed}) {
		t.Fatalf("jupyter-deps = %+v", deps)
	}
	files := map[string]string{}
	for _, f := range deps.Files {
		files[f.Name] = string(f.Data)
	}
	script := files[".gaiaflow/setup/setup.sh"]
	// No bytecode is compiled at install: the kernel's PYTHONPYCACHEPREFIX
	// (above) means Python would never read it.
	for _, want := range []string{`-m pip --python "$tmp/bin/python" install --no-compile -r "/home/jovyan/.gaiaflow/setup/requirements.txt"`,
		`key="` + jupyterEnvKey(in.Jupyter) + `-`, `env="/opt/gaiaflow/jupyter-envs/$key"`, `if [ -f "$env/.gaiaflow-complete" ]`,
		`chown -R "1234:5678" "/home/jovyan"`, "kernels/python3", `pythonpath="/home/jovyan/work/src"`,
		`pythonpath="$kernel_site${pythonpath:+:$pythonpath}"`} {
		if !strings.Contains(script, want) {
			t.Errorf("setup lacks %q:\n%s", want, script)
		}
	}
	if files[".gaiaflow/setup/requirements.txt"] != "pandas>=2\n" || strings.Contains(script, "rattler") ||
		!strings.Contains(files[".gaiaflow/setup/sitecustomize.py"], "AWS_SHARED_CREDENTIALS_FILE") {
		t.Errorf("setup files: %v", files)
	}
	// Conda packages come from their channels, like in the images.
	in.Jupyter = build.KernelDeps{Conda: &build.CondaPackages{Channels: []string{"conda-forge"}, Specs: []string{"git"}}}
	in.Layout.Owner = "0:0"
	plan = BuildPlan(in)
	deps = plan.Node("jupyter-deps")
	files = map[string]string{}
	for _, f := range deps.Files {
		files[f.Name] = string(f.Data)
	}
	if !strings.Contains(files[".gaiaflow/setup/setup.sh"], "py-rattler=="+build.RattlerVersion) ||
		!strings.Contains(files[".gaiaflow/setup/conda.json"], `"git"`) || files[".gaiaflow/setup/conda-env.py"] == "" ||
		strings.Contains(files[".gaiaflow/setup/setup.sh"], "requirements.txt") {
		t.Errorf("conda setup: %v", files)
	}
	if j := plan.Node("jupyter"); j.Spec.User != "0:0" || !slices.Contains(j.Spec.Cmd, "--allow-root") {
		t.Errorf("a project of root's: user %q cmd %v", j.Spec.User, j.Spec.Cmd)
	}
}

func TestSelect(t *testing.T) {
	cfg := project.Default("demo", "demo")
	off := false
	cfg.Services.Jupyter.Enabled = &off
	got, added, err := Select(cfg, nil)
	if err != nil || !slices.Equal(got, []string{"airflow", "mlflow", "minio"}) || len(added) != 0 {
		t.Errorf("Select(enabled) = %v %v %v", got, added, err)
	}
	got, added, err = Select(cfg, []string{"mlflow"})
	if err != nil || !slices.Equal(got, []string{"mlflow", "minio"}) || added["minio"] == "" {
		t.Errorf("Select(mlflow) = %v %v %v", got, added, err)
	}
	got, _, err = Select(cfg, []string{"jupyter,airflow"})
	if err != nil || !slices.Equal(got, []string{"airflow", "jupyter"}) {
		t.Errorf("Select(jupyter,airflow) = %v %v", got, err)
	}
	if _, _, err := Select(cfg, []string{"redis"}); err == nil || !strings.Contains(err.Error(), `unknown service "redis"`) {
		t.Errorf("Select(redis) err = %v", err)
	}
	// The original tool's documented default: all is every enabled service.
	for _, all := range [][]string{{"all"}, {"ALL"}, {"airflow,all"}} {
		got, _, err = Select(cfg, all)
		if err != nil || !slices.Equal(got, []string{"airflow", "mlflow", "minio"}) {
			t.Errorf("Select(%v) = %v %v", all, got, err)
		}
	}
}

func TestCheckServicesAll(t *testing.T) {
	got, err := checkServices([]string{"all"})
	if err != nil || !slices.Equal(got, project.ServiceNames) {
		t.Errorf("checkServices(all) = %v %v", got, err)
	}
	if _, err := checkServices([]string{"al"}); err == nil || !strings.Contains(errs.HintOf(err), "or all") {
		t.Errorf("checkServices(al) = %v (hint %q)", err, errs.HintOf(err))
	}
}

func TestReadLayout(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"dags", "demo"} {
		_ = os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	l, err := ReadLayout(dir, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if l.Dags == "" || l.Plugins != "" || l.Package != filepath.Join(dir, "demo") || l.SrcLayout || l.Data != "" ||
		l.Owner != fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid()) {
		t.Errorf("layout = %+v", l)
	}
	_ = os.Mkdir(filepath.Join(dir, "data"), 0o755)
	if l, _ := ReadLayout(dir, "demo"); l.Data != filepath.Join(dir, "data") {
		t.Errorf("data = %q", l.Data)
	}
}

func TestTaskPython(t *testing.T) {
	if got := taskPython(imageInfo(map[string]string{LabelTaskPython: "/venv/bin/python"}, nil)); got != "/venv/bin/python" {
		t.Errorf("from label: %q", got)
	}
	if got := taskPython(imageInfo(nil, []string{"PATH=/bin", "GAIAFLOW_TASK_PYTHON=/x/python"})); got != "/x/python" {
		t.Errorf("from env: %q", got)
	}
	if got := taskPython(imageInfo(map[string]string{"io.gaiaflow.kind": "airflow-runtime"}, nil)); got != "/opt/gaiaflow/task-venv/bin/python" {
		t.Errorf("runtime image of services/build: %q", got)
	}
	if got := taskPython(imageInfo(nil, nil)); got != "" {
		t.Errorf("none: %q", got)
	}
}
