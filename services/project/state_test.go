package project

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func TestStateRootFollowsXDG(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	root, err := StateRoot()
	if err != nil || root != filepath.Join(dir, "gaiaflow") {
		t.Fatalf("StateRoot = %q, %v", root, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", dir)
	root, _ = StateRoot()
	if root != filepath.Join(dir, ".local", "state", "gaiaflow") {
		t.Fatalf("fallback StateRoot = %q", root)
	}
}

func TestCredentialsGeneratedOnceWithMode0600(t *testing.T) {
	st, err := OpenState(filepath.Join(t.TempDir(), "p"))
	if err != nil {
		t.Fatal(err)
	}
	c1, err := st.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c2, err := st.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if *c1 != *c2 {
		t.Fatal("credentials changed between calls")
	}
	for _, v := range []string{c1.AirflowAdminPassword, c1.AirflowDBPassword, c1.MLflowDBPassword, c1.S3SecretKey, c1.JWTSecret, c1.FernetKey, c1.JupyterToken} {
		if len(v) < 24 || v == "admin" || v == "minio123" {
			t.Errorf("weak credential %q", v)
		}
	}
	info, err := os.Stat(st.Path(credentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("credentials mode = %v, want 0600", info.Mode().Perm())
	}
	dirInfo, _ := os.Stat(st.Dir)
	if dirInfo.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode = %v, want 0700", dirInfo.Mode().Perm())
	}
	other, _ := OpenState(filepath.Join(t.TempDir(), "q"))
	c3, _ := other.Credentials(context.Background())
	if c3.AirflowAdminPassword == c1.AirflowAdminPassword {
		t.Error("two projects got the same password")
	}
}

// The lock test runs this test binary as two child processes that each take
// the lock, append "start pid" and "end pid" with a pause between, and
// release it. Serialised, the lines never interleave.
func TestLockSerialisesTwoProcesses(t *testing.T) {
	if os.Getenv("GAIAFLOW_LOCK_CHILD") != "" {
		lockChild()
		return
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "log")
	var cmds []*exec.Cmd
	for i := 0; i < 2; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockSerialisesTwoProcesses$")
		cmd.Env = append(os.Environ(), "GAIAFLOW_LOCK_CHILD="+dir, "GAIAFLOW_LOCK_OUT="+out)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	data, _ := os.ReadFile(out)
	lines := strings.Fields(strings.ReplaceAll(string(data), "\n", " "))
	if len(lines) != 8 {
		t.Fatalf("log = %q, want 4 lines of 2 words", data)
	}
	for i := 0; i < 8; i += 4 {
		if lines[i] != "start" || lines[i+2] != "end" || lines[i+1] != lines[i+3] {
			t.Fatalf("critical sections interleaved:\n%s", data)
		}
	}
}

func lockChild() {
	st := &State{Dir: os.Getenv("GAIAFLOW_LOCK_CHILD")}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	unlock, err := st.Lock(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	defer unlock()
	f, err := os.OpenFile(os.Getenv("GAIAFLOW_LOCK_OUT"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		os.Exit(4)
	}
	pid := strconv.Itoa(os.Getpid())
	fmt.Fprintln(f, "start", pid)
	time.Sleep(300 * time.Millisecond) // widen the window an unserialised pair would interleave in
	fmt.Fprintln(f, "end", pid)
	_ = f.Close()
}

func TestLockHonoursContext(t *testing.T) {
	st, _ := OpenState(t.TempDir())
	unlock, err := st.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	// flock locks are per open file description, so a second handle in this
	// process contends like another process would.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := st.Lock(ctx); err == nil {
		t.Fatal("second Lock succeeded while the first is held")
	}
}

func TestTaskImageRecord(t *testing.T) {
	st, _ := OpenState(t.TempDir())
	if _, ok, err := st.TaskImage("docker"); ok || err != nil {
		t.Fatalf("empty state has a task image: %v %v", ok, err)
	}
	want := TaskImage{Image: "demo:0.1.0", ID: "sha256:abc", Target: "docker", BuiltAt: time.Unix(1700000000, 0).UTC()}
	if err := st.SetTaskImage(want); err != nil {
		t.Fatal(err)
	}
	if err := st.SetTaskImage(TaskImage{Image: "demo:0.1.0", Target: "minikube"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := st.TaskImage("docker")
	if err != nil || !ok || got != want {
		t.Fatalf("TaskImage = %+v %v %v, want %+v", got, ok, err, want)
	}
}

// A damaged credentials file is an error that names it, and is left as it
// is: new credentials would lock the stack out of its own volumes.
func TestDamagedCredentialsAreNeverReplaced(t *testing.T) {
	st, err := OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(st.Path("credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, damaged := range map[string][]byte{
		"truncated": data[:len(data)/2],
		"empty":     {},
		"emptied":   []byte("{}\n"),
	} {
		if err := os.WriteFile(st.Path("credentials.json"), damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := st.Credentials(context.Background())
		if err == nil || !strings.Contains(err.Error(), "credentials file "+st.Path("credentials.json")+" is damaged") ||
			!strings.Contains(errs.HintOf(err), "restore it from a backup") {
			t.Errorf("%s: %v (hint %q)", name, err, errs.HintOf(err))
		}
		if got, _ := os.ReadFile(st.Path("credentials.json")); string(got) != string(damaged) {
			t.Errorf("%s: the file was rewritten", name)
		}
	}
	if err := os.WriteFile(st.Path("credentials.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if again, err := st.Credentials(context.Background()); err != nil || *again != *c {
		t.Errorf("restored: %v", err)
	}
}
