package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// The image kit behaves like the stack's default images where the stack
// relies on them: every Reliance that services/project.DefaultImages lists
// is checked on the kit image that stands in for that default
// (kit.ForKey). A reliance without a command is one of the checks below,
// which need a running container.
func TestE2EKitReliances(t *testing.T) {
	if os.Getenv("GAIAFLOW_E2E") != "1" {
		t.Skip("the end-to-end suite runs with GAIAFLOW_E2E=1 (make e2e); it needs root and a Docker daemon")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	img, err := kit.Build(ctx, root, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	pins, err := kit.ReadPins(root)
	if err != nil {
		t.Fatal(err)
	}
	running := map[string]func(t *testing.T, image string){
		"postgres.init": checkPostgresInit,
		"minio.command": checkMinioCommand,
	}
	checked := map[string]bool{}
	for _, d := range project.DefaultImages(pins.Python) {
		image := img[kit.ForKey[d.Key]]
		for _, r := range d.Relies {
			if checked[r.ID] {
				continue // the same image under two keys (the databases)
			}
			checked[r.ID] = true
			t.Run(r.ID, func(t *testing.T) {
				if len(r.Cmd) == 0 {
					check, ok := running[r.ID]
					if !ok {
						t.Fatalf("%s relies on %q and nothing checks it: give it a Cmd or a check in this file", d.Key, r.What)
					}
					check(t, image)
					return
				}
				args := []string{"run", "--rm", "--label", "io.gaiaflow.kit=true"}
				if len(r.Entrypoint) > 0 {
					args = append(args, "--entrypoint", r.Entrypoint[0])
					args = append(args, image)
					args = append(args, r.Entrypoint[1:]...)
				} else {
					args = append(args, image)
				}
				args = append(args, r.Cmd...)
				out, err := dockerOut(ctx, args...)
				if err != nil {
					t.Fatalf("%s (%s) on %s: %v\n%s", r.ID, r.What, image, err, out)
				}
				if !regexp.MustCompile(r.Want).MatchString(out) {
					t.Errorf("%s on %s: %s printed\n%s\nwant a match of %s (%s)", r.ID, image, strings.Join(r.Cmd, " "), out, r.Want, r.What)
				}
			})
		}
	}
	for id := range running {
		if !checked[id] {
			t.Errorf("a check for %s is here, but no default image relies on it", id)
		}
	}
}

// dockerOut runs the docker CLI and returns its combined output.
func dockerOut(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// runDetached starts a labelled container and removes it when the test ends.
func runDetached(t *testing.T, args ...string) string {
	t.Helper()
	out, err := dockerOut(context.Background(), append([]string{"run", "-d", "--label", "io.gaiaflow.kit=true"}, args...)...)
	if err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	id := strings.TrimSpace(out)
	t.Cleanup(func() { _, _ = dockerOut(context.Background(), "rm", "-fv", id) })
	return id
}

// until retries check every half second until it succeeds, the container
// stops, or a minute passes.
func until(t *testing.T, id, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		err := check()
		if err == nil {
			return
		}
		state, _ := dockerOut(context.Background(), "inspect", "-f", "{{.State.Status}}", id)
		if strings.TrimSpace(state) != "running" || time.Now().After(deadline) {
			logs, _ := dockerOut(context.Background(), "logs", "--tail", "20", id)
			t.Fatalf("%s: %v (container %s)\n%s", what, err, strings.TrimSpace(state), logs)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func randomSecret(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// secretMount writes a secret file (mode 0400, owned by uid:gid) and
// returns the -v argument that mounts it read-only at target, as the stack
// copies its secret files in.
func secretMount(t *testing.T, value, target string, uid, gid int) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), filepath.Base(target))
	if err := os.WriteFile(f, []byte(value), 0o400); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f, uid, gid); err != nil {
		t.Fatal(err)
	}
	return f + ":" + target + ":ro"
}

// On an empty volume the entry point makes the user, its password (from the
// file POSTGRES_PASSWORD_FILE names, owned by postgres) and the database,
// and serves them over TCP with password authentication: what the stack's
// postgres-airflow and postgres-mlflow rely on.
func checkPostgresInit(t *testing.T, image string) {
	pw := randomSecret(t)
	id := runDetached(t, "-e", "POSTGRES_USER=gfcheck", "-e", "POSTGRES_DB=gfcheckdb",
		"-e", "POSTGRES_PASSWORD_FILE=/run/secrets/gaiaflow/postgres-password",
		"-v", secretMount(t, pw, "/run/secrets/gaiaflow/postgres-password", 999, 999), image)
	ctx := context.Background()
	tcp := func(password string) (string, error) {
		t.Setenv("PGPASSWORD", password)
		return dockerOut(ctx, "exec", "-e", "PGPASSWORD", id, "sh", "-c",
			`psql -h "$(hostname -i)" -U gfcheck -d gfcheckdb -AtF ' ' -c 'select current_user, current_database()'`)
	}
	until(t, id, "pg_isready as the new user", func() error {
		out, err := dockerOut(ctx, "exec", id, "sh", "-c", `pg_isready -h "$(hostname -i)" -U gfcheck -d gfcheckdb`)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
	if out, err := tcp(pw); err != nil || strings.TrimSpace(out) != "gfcheck gfcheckdb" {
		t.Fatalf("connect over TCP with the password: %v: %s", err, out)
	}
	if out, err := tcp("wrong-" + pw); err == nil {
		t.Fatalf("a wrong password was accepted: %s", out)
	}
}

// The entry point runs minio with the stack's arguments (no leading
// `minio`), and the root credentials come from the files MINIO_ROOT_USER_FILE
// and MINIO_ROOT_PASSWORD_FILE name (owned by root, as it runs).
func checkMinioCommand(t *testing.T, image string) {
	secret := randomSecret(t)
	id := runDetached(t, "-e", "MINIO_ROOT_USER_FILE=/run/secrets/gaiaflow/minio-root-user",
		"-e", "MINIO_ROOT_PASSWORD_FILE=/run/secrets/gaiaflow/minio-root-password",
		"-v", secretMount(t, "gfcheck", "/run/secrets/gaiaflow/minio-root-user", 0, 0),
		"-v", secretMount(t, secret, "/run/secrets/gaiaflow/minio-root-password", 0, 0),
		"-p", "127.0.0.1::9000",
		image, "server", "/data", "--address", ":9000", "--console-address", ":9001")
	ctx := context.Background()
	out, err := dockerOut(ctx, "port", id, "9000/tcp")
	if err != nil {
		t.Fatalf("docker port: %v: %s", err, out)
	}
	endpoint := "http://" + strings.TrimSpace(strings.Split(out, "\n")[0])
	until(t, id, "MinIO's health endpoint", func() error {
		out, err := dockerOut(ctx, "exec", id, "curl", "-fsS", "http://127.0.0.1:9000/minio/health/live")
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
	// Signed with the root credentials, a request reaches the bucket
	// lookup; signed with others, it is refused before.
	_, err = s3List(ctx, endpoint, "gfcheck", secret, "gfcheck-none", "")
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("a request signed with the root credentials: %v, want NoSuchBucket", err)
	}
	_, err = s3List(ctx, endpoint, "gfcheck", "wrong-"+secret, "gfcheck-none", "")
	if err == nil || strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("a request signed with a wrong secret: %v, want it refused", err)
	}
}
