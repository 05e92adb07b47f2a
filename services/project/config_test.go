package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func TestDecodeTable(t *testing.T) {
	tests := []struct {
		name string
		toml string
		// want are substrings of the error, in order; empty means the file is good.
		want []string
	}{
		{name: "minimal", toml: "name = \"demo\"\npackage = \"demo\"\n"},
		{name: "full", toml: `name = "demo"
package = "demo_pkg"
mode = "dev_docker"
env_manager = "conda"
python = "3.11"

[services.airflow]
port = 18080
image = "local/airflow:1"
db_image = "local/postgres:1"

[services.jupyter]
enabled = false

[build]
base_image = "local/python:1"

[minikube]
profile = "p1"
cpus = 2
memory = "2048m"

[resources.big]
cpu_limit = "2"
memory_limit = "4Gi"
`},
		{name: "unknown top-level key", toml: "name = \"demo\"\npackage = \"demo\"\ncolour = \"red\"\n",
			want: []string{"gaiaflow.toml:3:1: unknown key \"colour\""}},
		{name: "unknown nested key", toml: "name = \"demo\"\npackage = \"demo\"\n[services.airflow]\nprot = 1\n",
			want: []string{"gaiaflow.toml:4:1: unknown key \"services.airflow.prot\""}},
		{name: "port out of range", toml: "name = \"demo\"\npackage = \"demo\"\n\n[services.airflow]\nport = 70000\n",
			want: []string{"gaiaflow.toml:5:1: port 70000 is out of range: use 1 to 65535"}},
		{name: "wrong type", toml: "name = \"demo\"\npackage = \"demo\"\n[services.mlflow]\nport = \"5000\"\n",
			want: []string{"gaiaflow.toml:4:", "services.mlflow.port"}},
		{name: "bad mode", toml: "name = \"demo\"\npackage = \"demo\"\nmode = \"staging\"\n",
			want: []string{"gaiaflow.toml:3:1: mode \"staging\" is not one of dev, dev_docker, prod_local, prod"}},
		{name: "port clash", toml: "name = \"demo\"\npackage = \"demo\"\n[services.mlflow]\nport = 8080\n",
			want: []string{"gaiaflow.toml:4:1: port 8080 is already used by services.airflow.port"}},
		{name: "missing name", toml: "package = \"demo\"\n",
			want: []string{"gaiaflow.toml: name: name \"\" is not valid"}},
		{name: "bad package", toml: "name = \"demo\"\npackage = \"Demo-Pkg\"\n",
			want: []string{"gaiaflow.toml:2:1: package \"Demo-Pkg\""}},
		{name: "bad quantity", toml: "name = \"demo\"\npackage = \"demo\"\n[resources.x]\ncpu_limit = \"lots\"\n",
			want: []string{"gaiaflow.toml:4:1: \"lots\" is not a Kubernetes quantity"}},
		{name: "extend_image off airflow", toml: "name = \"demo\"\npackage = \"demo\"\n[services.mlflow]\nextend_image = false\n",
			want: []string{"gaiaflow.toml:4:1: extend_image applies to services.airflow only"}},
		{name: "mlflow workers and jobs", toml: "name = \"demo\"\npackage = \"demo\"\n[services.mlflow]\nworkers = 3\njobs = true\n"},
		{name: "mlflow workers out of range", toml: "name = \"demo\"\npackage = \"demo\"\n[services.mlflow]\nworkers = -2\n",
			want: []string{"gaiaflow.toml:4:1: workers -2 is out of range: use 1 to 64"}},
		{name: "workers and jobs off mlflow", toml: "name = \"demo\"\npackage = \"demo\"\n[services.airflow]\nworkers = 2\njobs = true\n",
			want: []string{"gaiaflow.toml:4:1: workers applies to services.mlflow only", "gaiaflow.toml:5:1: jobs applies to services.mlflow only"}},
		{name: "kubeconfig cluster", toml: "name = \"demo\"\npackage = \"demo\"\n[cluster]\nprovider = \"kubeconfig\"\ncontext = \"kind-demo\"\n" +
			"load_command = [\"kind\", \"load\", \"docker-image\", \"{image}\", \"--name\", \"demo\"]\nnetwork = \"kind\"\nhost_address = \"172.18.0.1\"\n" +
			"api_server = \"https://demo-control-plane:6443\"\nnamespace = \"tasks\"\n"},
		{name: "kubeconfig cluster without context or load command", toml: "name = \"demo\"\npackage = \"demo\"\n[cluster]\nprovider = \"kubeconfig\"\n",
			want: []string{"gaiaflow.toml: cluster.context: provider \"kubeconfig\" needs the context", "cluster.load_command: provider \"kubeconfig\" needs the command that puts an image"}},
		{name: "load command without image", toml: "name = \"demo\"\npackage = \"demo\"\n[cluster]\nprovider = \"kubeconfig\"\ncontext = \"c\"\nload_command = [\"kind\", \"load\"]\n",
			want: []string{"gaiaflow.toml:6:1: load_command [\"kind\" \"load\"] has no {image}"}},
		{name: "kubeconfig keys on minikube", toml: "name = \"demo\"\npackage = \"demo\"\n[cluster]\ncontext = \"c\"\n",
			want: []string{"gaiaflow.toml:4:1: context applies to provider \"kubeconfig\" only"}},
		{name: "bad cluster values", toml: "name = \"demo\"\npackage = \"demo\"\n[cluster]\nprovider = \"k3s\"\nnamespace = \"Tasks\"\nhost_address = \"here\"\n",
			want: []string{"provider \"k3s\" is not one of minikube, kubeconfig", "namespace \"Tasks\" is not a DNS-1123 label", "host_address \"here\" is not an IP address"}},
		{name: "prod", toml: "name = \"demo\"\npackage = \"demo\"\n[prod]\nregistry = \"127.0.0.1:5000/team\"\ncontext = \"lab\"\nnamespace = \"ml\"\npull_secret = \"regcred\"\n"},
		{name: "bad prod values", toml: "name = \"demo\"\npackage = \"demo\"\n[prod]\nregistry = \"team/demo\"\nimage = \"demo:1\"\nnamespace = \"ML\"\npull_secret = \"Reg Cred\"\n",
			want: []string{"registry \"team/demo\" is not a registry host", "image \"demo:1\" does not name its registry", "set either image or registry", "namespace \"ML\" is not a DNS-1123 label", "pull_secret \"Reg Cred\" is not a secret name"}},
		{name: "syntax error", toml: "name = \"demo\npackage = \"demo\"\n",
			want: []string{"gaiaflow.toml:1:"}},
		{name: "every problem at once", toml: "name = \"Bad Name\"\npackage = \"demo\"\nmode = \"x\"\n",
			want: []string{"gaiaflow.toml:1:1: name", "gaiaflow.toml:3:1: mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Decode("gaiaflow.toml", []byte(tt.toml))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if cfg.Services.Airflow.Port == 0 || cfg.Minikube.Profile == "" {
					t.Fatalf("defaults not applied: %+v", cfg)
				}
				return
			}
			if err == nil {
				t.Fatalf("Decode succeeded, want an error containing %q", tt.want)
			}
			if errs.KindOf(err) != errs.Usage {
				t.Errorf("kind = %v, want Usage (exit 2)", errs.KindOf(err))
			}
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("error %T is not an InvalidError", err)
			}
			msg := inv.Error()
			pos := 0
			for _, w := range tt.want {
				i := strings.Index(msg[pos:], w)
				if i < 0 {
					t.Fatalf("error %q does not contain %q (in order)", msg, w)
				}
				pos += i + len(w)
			}
		})
	}
}

func TestDecodeFullValues(t *testing.T) {
	cfg, err := Decode("f", []byte("name = \"demo\"\npackage = \"demo\"\n[services.jupyter]\nenabled = false\nport = 9999\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Services.Jupyter.IsEnabled() || cfg.Services.Jupyter.Port != 9999 {
		t.Errorf("jupyter = %+v", cfg.Services.Jupyter)
	}
	if !cfg.Services.Airflow.IsEnabled() || cfg.Services.Airflow.Image != DefaultAirflowImage(cfg.Python) {
		t.Errorf("airflow defaults = %+v", cfg.Services.Airflow)
	}
	if cfg.Minikube.Profile != "gaiaflow-demo" {
		t.Errorf("profile = %q", cfg.Minikube.Profile)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	c := Default("demo", "demo_pkg")
	data, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode("f", data)
	if err != nil {
		t.Fatalf("decode of encoded settings: %v\n%s", err, data)
	}
	if back.Name != "demo" || back.Package != "demo_pkg" || back.Services.MLflow.Port != 5000 {
		t.Errorf("round trip lost values: %+v", back)
	}
}

func TestSetModeKeepsTheRestOfTheFile(t *testing.T) {
	dir := t.TempDir()
	orig := "# my project\nname = \"demo\"  # keep me\npackage = \"demo\"\nmode = \"dev\" # the mode\n\n[services.airflow]\nport = 8081 # custom\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := SetMode(dir, "dev_docker"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, FileName))
	want := strings.Replace(orig, `mode = "dev"`, `mode = "dev_docker"`, 1)
	if string(got) != want {
		t.Errorf("file after SetMode:\n%s\nwant:\n%s", got, want)
	}
	st, _ := os.Stat(filepath.Join(dir, FileName))
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode bits changed to %v", st.Mode().Perm())
	}
}

func TestSetModeAddsMissingKeyBeforeFirstTable(t *testing.T) {
	dir := t.TempDir()
	orig := "name = \"demo\"\npackage = \"demo\"\n\n[services.airflow]\nport = 8081\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SetMode(dir, "prod"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, FileName))
	want := "name = \"demo\"\npackage = \"demo\"\n\nmode = \"prod\"\n[services.airflow]\nport = 8081\n"
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	cfg, err := Load(dir)
	if err != nil || cfg.Mode != "prod" || cfg.Services.Airflow.Port != 8081 {
		t.Fatalf("Load after SetMode: %+v, %v", cfg, err)
	}
}

func TestSetModeRejectsBadModeAndLeavesFile(t *testing.T) {
	dir := t.TempDir()
	orig := "name = \"demo\"\npackage = \"demo\"\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SetMode(dir, "staging"); err == nil {
		t.Fatal("SetMode(staging) succeeded")
	}
	got, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(got) != orig {
		t.Errorf("file changed by a failed SetMode: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("stray files left: %v", entries)
	}
}
