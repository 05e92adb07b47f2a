// Command standin plays every service of the stack in integration tests:
// built statically into a FROM scratch image, it answers the commands the
// stack gives each container (`airflow scheduler`, `mlflow server`, `server
// /data` for MinIO, `jupyter lab`, `pip install`, the postgres default and
// `pg_isready`) with a small imitation that checks what the real service
// would need: its database reachable by its network name, its secrets where
// the real program looks for them (read-only files named by the _FILE and
// _CMD variables, libpq's password file, boto3's credentials file,
// Jupyter's config), Airflow's passwords file, MLflow's bucket.
//
// It can be told, through the image's environment, to start slowly, turn
// unhealthy or exit with a code, per role:
//
//	STANDIN_<ROLE>_DELAY=2s      wait before becoming ready
//	STANDIN_<ROLE>_EXIT=3        print some lines, then exit with this code
//	STANDIN_<ROLE>_UNHEALTHY=1   never become ready
//
// where ROLE is POSTGRES, AIRFLOW_INIT, API_SERVER, SCHEDULER, DAG_PROCESSOR,
// TRIGGERER, MLFLOW, MINIO, JUPYTER or PIP. `standin sleep 20s` is a slow
// build step (RUN in exec form needs no shell).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if filepath.Base(os.Args[0]) == "pg_isready" {
		os.Exit(pgIsReady())
	}
	role := roleOf(os.Args[1:])
	fmt.Printf("standin %s: starting (%s)\n", role, strings.Join(os.Args[1:], " "))
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		s := <-sig
		fmt.Printf("standin %s: %v, stopping\n", role, s)
		os.Exit(0)
	}()
	if d := setting(role, "DELAY"); d != "" {
		wait, err := time.ParseDuration(d)
		if err != nil {
			fail(role, "bad delay %q", d)
		}
		time.Sleep(wait)
	}
	if code := setting(role, "EXIT"); code != "" {
		n, _ := strconv.Atoi(code)
		for i := 1; i <= 25; i++ {
			fmt.Printf("standin %s line %d\n", role, i)
		}
		fmt.Printf("standin %s: exiting with code %d\n", role, n)
		os.Exit(n)
	}
	switch role {
	case "postgres":
		postgres()
	case "airflow-init":
		airflowInit()
	case "api-server":
		apiServer()
	case "scheduler", "dag-processor", "triggerer":
		airflowComponent(role)
	case "mlflow":
		mlflow()
	case "minio":
		minio()
	case "jupyter":
		jupyter()
	case "pip":
		fmt.Println("standin pip: installed " + strings.Join(os.Args[2:], " "))
	case "sleep":
		// A slow build step: RUN ["/standin", "sleep", "20s"] needs no shell.
		d, err := time.ParseDuration(strings.Join(os.Args[2:], ""))
		if err != nil {
			fail(role, "bad duration")
		}
		time.Sleep(d)
	case "sh":
		// JupyterLab's setup script: the stand-in runs no shell.
		fmt.Println("standin sh: ran " + strings.Join(os.Args[2:], " "))
	default:
		fail(role, "unknown command %q", strings.Join(os.Args[1:], " "))
	}
}

func roleOf(args []string) string {
	if len(args) == 0 || args[0] == "postgres" {
		return "postgres"
	}
	switch args[0] {
	case "airflow":
		if len(args) >= 3 && args[1] == "db" && args[2] == "migrate" {
			return "airflow-init"
		}
		if len(args) >= 2 {
			return args[1]
		}
	case "mlflow", "jupyter", "pip", "sleep", "sh":
		return args[0]
	case "server":
		return "minio"
	}
	return strings.Join(args, " ")
}

func setting(role, what string) string {
	return os.Getenv("STANDIN_" + strings.ToUpper(strings.ReplaceAll(role, "-", "_")) + "_" + what)
}

func unhealthy(role string) bool { return setting(role, "UNHEALTHY") != "" }

func fail(role, format string, args ...any) {
	fmt.Printf("standin %s: error: %s\n", role, fmt.Sprintf(format, args...))
	os.Exit(1)
}

func need(role, key string) string {
	v := os.Getenv(key)
	if v == "" {
		fail(role, "%s is not set", key)
	}
	return v
}

// secret finds a secret as the real program does: in the variable
// itself, in the file its _FILE variant names (Postgres, MinIO), or from
// its _CMD variant (Airflow runs the command; the stand-in has no shell
// and reads the file of `cat FILE`).
func secret(role, key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	if p := os.Getenv(key + "_FILE"); p != "" {
		return readSecret(role, key+"_FILE", p)
	}
	if c := os.Getenv(key + "_CMD"); c != "" {
		p, ok := strings.CutPrefix(c, "cat ")
		if !ok {
			fail(role, "%s_CMD runs %q, not cat FILE", key, c)
		}
		return readSecret(role, key+"_CMD", p)
	}
	fail(role, "%s is not set, nor %s_FILE or %s_CMD", key, key, key)
	return ""
}

// readSecret reads a secret file, which only its owner may read.
func readSecret(role, what, path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		fail(role, "%s: %v", what, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		fail(role, "%s: %s has mode %o: others may read it", what, path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(data)) == "" {
		fail(role, "%s: %s is empty or unreadable: %v", what, path, err)
	}
	return strings.TrimSpace(string(data))
}

// s3Secret is the S3 secret key from the environment, or from boto3's
// shared credentials file.
func s3Secret(role string) string {
	if v := os.Getenv("AWS_SECRET_ACCESS_KEY"); v != "" {
		return v
	}
	for _, line := range strings.Split(readSecret(role, "AWS_SHARED_CREDENTIALS_FILE", need(role, "AWS_SHARED_CREDENTIALS_FILE")), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "aws_secret_access_key" {
			return strings.TrimSpace(v)
		}
	}
	fail(role, "no aws_secret_access_key in AWS_SHARED_CREDENTIALS_FILE")
	return ""
}

func serve(role string, addr string, h http.Handler) {
	fmt.Printf("standin %s: serving on %s\n", role, addr)
	if err := http.ListenAndServe(addr, h); err != nil {
		fail(role, "%v", err)
	}
}

// reachable waits until a stand-in's health endpoint at host answers 200.
func reachable(host string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get("http://" + host + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// hostOf returns host:port of a database URL such as postgresql://u:p@host:5432/db.
func hostOf(role, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		fail(role, "bad database URL")
	}
	return u.Host
}

func pgIsReady() int {
	if unhealthy("postgres") {
		return 1
	}
	resp, err := http.Get("http://127.0.0.1:5432/health")
	if err != nil {
		return 2
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return 1
	}
	return 0
}

func postgres() {
	secret("postgres", "POSTGRES_PASSWORD")
	need("postgres", "POSTGRES_USER")
	dir := os.Getenv("PGDATA")
	if dir == "" {
		dir = "/var/lib/postgresql/data"
	}
	// Count starts in the data volume: it must survive stop and start.
	n := 0
	if b, err := os.ReadFile(filepath.Join(dir, "starts")); err == nil {
		n, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	n++
	if err := os.WriteFile(filepath.Join(dir, "starts"), []byte(strconv.Itoa(n)), 0o600); err != nil {
		fail("postgres", "write data: %v", err)
	}
	fmt.Printf("standin postgres: ready, start %d of this data directory\n", n)
	serve("postgres", ":5432", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unhealthy("postgres") {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "%d\n", n)
	}))
}

func airflowInit() {
	db := hostOf("airflow-init", secret("airflow-init", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"))
	secret("airflow-init", "AIRFLOW__CORE__FERNET_KEY")
	if err := reachable(db, 30*time.Second); err != nil {
		fail("airflow-init", "database %s: %v", db, err)
	}
	fmt.Println("standin airflow-init: database migrated")
}

func apiServer() {
	role := "api-server"
	db := hostOf(role, secret(role, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"))
	secret(role, "AIRFLOW__API_AUTH__JWT_SECRET")
	secret(role, "AIRFLOW__API__SECRET_KEY")
	s3Secret(role)
	users := need(role, "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS")
	pwFile := need(role, "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
	var passwords map[string]string
	data, err := os.ReadFile(pwFile)
	if err != nil || json.Unmarshal(data, &passwords) != nil {
		fail(role, "passwords file %s: %v", pwFile, err)
	}
	user, _, _ := strings.Cut(users, ":")
	if passwords[user] == "" {
		fail(role, "no password for %s", user)
	}
	var mu sync.Mutex
	mux := http.NewServeMux()
	if os.Getenv("GAIAFLOW_MODE") == "prod_local" {
		prodLocal(role, mux)
	}
	beats := map[string]time.Time{}
	mux.HandleFunc("/standin/heartbeat", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		beats[r.URL.Query().Get("component")] = time.Now()
		mu.Unlock()
	})
	mux.HandleFunc("/api/v2/version", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"version": "3.3.2-standin"}`)
	})
	mux.HandleFunc("/api/v2/monitor/health", func(w http.ResponseWriter, r *http.Request) {
		if unhealthy(role) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		status := func(ok bool) map[string]string {
			if ok {
				return map[string]string{"status": "healthy"}
			}
			return map[string]string{"status": "unhealthy"}
		}
		body := map[string]any{"metadatabase": status(reachable(db, 0) == nil)}
		mu.Lock()
		for _, c := range []string{"scheduler", "dag_processor", "triggerer"} {
			if t, ok := beats[c]; ok {
				body[c] = status(time.Since(t) < 10*time.Second)
			} else {
				body[c] = nil
			}
		}
		mu.Unlock()
		_ = json.NewEncoder(w).Encode(body)
	})
	serve(role, ":8080", mux)
}

func airflowComponent(role string) {
	secret(role, "AIRFLOW__API_AUTH__JWT_SECRET")
	db := hostOf(role, secret(role, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"))
	need(role, "GAIAFLOW_MODE")
	api := strings.TrimSuffix(need(role, "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"), "/execution/")
	name := strings.ReplaceAll(role, "-", "_")
	lost := 0
	for i := 1; ; i++ {
		// Like Airflow's, it dies when its database is gone for a while.
		if reachable(db, 0) != nil {
			if lost++; lost >= 3 {
				fail(role, "lost the database %s", db)
			}
		} else {
			lost = 0
		}
		if !unhealthy(role) {
			resp, err := http.Post(api+"/standin/heartbeat?component="+name, "text/plain", nil)
			if err == nil {
				resp.Body.Close()
			}
			fmt.Printf("standin %s: heartbeat %d (%v)\n", role, i, errText(err))
		}
		time.Sleep(time.Second)
	}
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func mlflow() {
	role := "mlflow"
	uri := need(role, "MLFLOW_BACKEND_STORE_URI")
	db := hostOf(role, uri)
	if u, _ := url.Parse(uri); u != nil {
		if _, ok := u.User.Password(); !ok {
			// libpq finds the password in its password file.
			readSecret(role, "PGPASSFILE", need(role, "PGPASSFILE"))
		}
	}
	s3 := need(role, "MLFLOW_S3_ENDPOINT_URL")
	s3Secret(role)
	serve(role, ":5000", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		if unhealthy(role) || reachable(db, 0) != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		// MLflow's artifacts go to the bucket the stack created.
		resp, err := http.Head(s3 + "/mlflow")
		if err != nil || resp.StatusCode != 200 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "no bucket")
			return
		}
		resp.Body.Close()
		fmt.Fprintln(w, "OK")
	}))
}

func minio() {
	role := "minio"
	user := secret(role, "MINIO_ROOT_USER")
	secret(role, "MINIO_ROOT_PASSWORD")
	go serve(role, ":9001", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "console") }))
	serve(role, ":9000", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/minio/health/live" {
			if unhealthy(role) {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
			return
		}
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if bucket == "" || strings.Contains(bucket+key, "..") {
			http.Error(w, "bad path", http.StatusBadRequest)
			return
		}
		dir := filepath.Join("/data", bucket)
		switch {
		case key == "" && r.Method == http.MethodPut:
			if !strings.Contains(r.Header.Get("Authorization"), "Credential="+user+"/") {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, "<Error><Code>InvalidAccessKeyId</Code></Error>")
				return
			}
			if _, err := os.Stat(dir); err == nil {
				w.WriteHeader(http.StatusConflict)
				fmt.Fprint(w, "<Error><Code>BucketAlreadyOwnedByYou</Code></Error>")
				return
			}
			if err := os.Mkdir(dir, 0o755); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Printf("standin minio: bucket %s created\n", bucket)
		case key == "":
			if _, err := os.Stat(dir); err != nil {
				http.NotFound(w, r)
			}
		case r.Method == http.MethodPut:
			data, _ := io.ReadAll(r.Body)
			if err := os.WriteFile(filepath.Join(dir, key), data, 0o644); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
		default:
			data, err := os.ReadFile(filepath.Join(dir, key))
			if errors.Is(err, os.ErrNotExist) {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write(data)
		}
	}))
}

func jupyter() {
	role := "jupyter"
	if os.Getenv("JUPYTER_TOKEN") == "" {
		// The token is in a config file on JUPYTER_CONFIG_PATH.
		var cfg struct {
			IdentityProvider struct{ Token string } `json:"IdentityProvider"`
		}
		data := readSecret(role, "JUPYTER_CONFIG_PATH", filepath.Join(need(role, "JUPYTER_CONFIG_PATH"), "jupyter_server_config.json"))
		if json.Unmarshal([]byte(data), &cfg) != nil || cfg.IdentityProvider.Token == "" {
			fail(role, "no token in the Jupyter config")
		}
	}
	s3Secret(role)
	serve(role, ":8888", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unhealthy(role) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, `{"version": "standin"}`)
	}))
}

// prodLocal checks what Airflow needs to run tasks as pods: a kubeconfig it
// can read, a namespace, the endpoints for pods. It serves what it found,
// and a GET of any URL from inside the container, for tests to look at.
func prodLocal(role string, mux *http.ServeMux) {
	path := need(role, "GAIAFLOW_KUBECONFIG")
	kubeconfig, err := os.ReadFile(path)
	if err != nil {
		fail(role, "kubeconfig: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		fail(role, "kubeconfig: %v", err)
	}
	var uid uint32
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		uid = st.Uid
	}
	env := map[string]string{}
	for _, k := range []string{"GAIAFLOW_K8S_NAMESPACE", "GAIAFLOW_POD_MLFLOW_TRACKING_URI", "GAIAFLOW_POD_MLFLOW_S3_ENDPOINT_URL"} {
		env[k] = need(role, k)
	}
	mux.HandleFunc("/standin/prod-local", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"kubeconfig": string(kubeconfig), "mode": fmt.Sprintf("%o", fi.Mode().Perm()),
			"file_uid": uid, "process_uid": os.Getuid(), "env": env})
	})
	mux.HandleFunc("/standin/get", func(w http.ResponseWriter, r *http.Request) {
		c := http.Client{Timeout: 5 * time.Second}
		resp, err := c.Get(r.URL.Query().Get("url"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		fmt.Fprintf(w, "%d\n", resp.StatusCode)
	})
}
