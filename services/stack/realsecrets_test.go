package stack

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestRealDockerInspectShowsNoSecret starts every service on the real
// engine (stand-in images) and reads `docker inspect` of each container as
// a person would: none of credentials.json's values is in it. Each
// program's secrets are files in its container, read-only (0400; Airflow's
// passwords file, which its auth manager opens for writing, 0600) and owned
// by the user it runs as: the default image's, or JupyterLab's, the
// project's owner.
func TestRealDockerInspectShowsNoSecret(t *testing.T) {
	c := realDocker(t)
	f := newRealFixture(t, uniform(standin(t, c, nil)))
	if err := f.start(StartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	st, err := f.p.State()
	if err != nil {
		t.Fatal(err)
	}
	var creds map[string]string
	if ok, err := st.ReadJSON("credentials.json", &creds); err != nil || !ok {
		t.Fatalf("credentials.json: %v", err)
	}
	ids := f.ids()
	args := []string{"inspect"}
	for _, id := range ids {
		args = append(args, id)
	}
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker inspect: %v\n%s", err, out)
	}
	for field, value := range creds {
		if field == "airflow_admin_user" {
			continue // "admin" is a name, not a secret
		}
		if strings.Contains(string(out), value) {
			t.Errorf("docker inspect shows %s", field)
		}
	}
	// Nor is the API secret key gaiaflow derives from the JWT secret.
	if strings.Contains(string(out), derive(creds["jwt_secret"], "api secret key")) {
		t.Error("docker inspect shows the API secret key")
	}

	// JupyterLab runs as the project's owner, who owns its files.
	juid, jgid := ownerIDs(fileOwner(f.p.Dir), jupyterUID, jupyterGID)
	want := map[string][]struct {
		file     string
		mode     int64
		uid, gid int
	}{
		"postgres-airflow":   {{"postgres-password", 0o400, 999, 999}},
		"airflow-scheduler":  {{"sql_alchemy_conn", 0o400, 50000, 0}, {"fernet_key", 0o400, 50000, 0}, {"jwt_secret", 0o400, 50000, 0}, {"aws-credentials", 0o400, 50000, 0}},
		"airflow-api-server": {{"airflow-passwords.json", 0o600, 50000, 0}, {"api_secret_key", 0o400, 50000, 0}},
		"mlflow":             {{"pgpass", 0o400, 0, 0}, {"aws-credentials", 0o400, 0, 0}},
		"minio":              {{"minio-root-user", 0o400, 0, 0}, {"minio-root-password", 0o400, 0, 0}},
		"jupyter":            {{"jupyter_server_config.json", 0o400, juid, jgid}, {"aws-credentials", 0o400, juid, jgid}},
	}
	for comp, files := range want {
		for _, w := range files {
			hdr := statInContainer(t, ids[comp], SecretsDir+"/"+w.file)
			if hdr.Mode&0o777 != w.mode || hdr.Uid != w.uid || hdr.Gid != w.gid {
				t.Errorf("%s: %s is %o %d:%d, want %o %d:%d", comp, w.file, hdr.Mode&0o777, hdr.Uid, hdr.Gid, w.mode, w.uid, w.gid)
			}
		}
	}
	// The status says where the secrets are, never what.
	v, err := f.stack.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(v)
	for field, value := range creds {
		if field != "airflow_admin_user" && bytes.Contains(js, []byte(value)) {
			t.Errorf("status shows %s", field)
		}
	}
}

// statInContainer reads a file's header out of a container (`docker cp
// CONTAINER:PATH -` writes a tar stream).
func statInContainer(t *testing.T, id, path string) *tar.Header {
	t.Helper()
	out, err := exec.Command("docker", "cp", id+":"+path, "-").Output()
	if err != nil {
		t.Fatalf("docker cp %s: %v", path, err)
	}
	hdr, err := tar.NewReader(bytes.NewReader(out)).Next()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return hdr
}
