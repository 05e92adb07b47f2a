package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
)

// Secret values never appear in any output or log: every create-secret path
// runs here, and stdout, stderr (with --debug, which prints the whole error
// chain), the event stream (text lines and NDJSON) and the stand-in
// minikube's record of its command lines are searched for each value.
func TestStandInMinikubeSecretValuesNeverAppear(t *testing.T) {
	h := newPL(t)
	h.standIn.Running()
	h.run("prod-local", "create-config").ok(t, "create-config")

	leaks := []string{"LEAKCHECK-data-0001", "LEAKCHECK-file-0002", "LEAKCHECK-quoted-0003", "LEAKCHECK-bad-0004",
		"LEAKCHECK-upd-0005", "LEAKCHECK-webhook-0006", "LEAKCHECK-argv-0007"}
	dir := t.TempDir()
	env := filepath.Join(dir, "creds.env")
	writeFile(t, env, "FROM_FILE="+leaks[1]+"\nQUOTED='"+leaks[2]+"'\n")
	badEnv := filepath.Join(dir, "bad.env")
	writeFile(t, badEnv, "GOOD=x\n"+leaks[3]+"\n")
	badKeyEnv := filepath.Join(dir, "badkey.env")
	writeFile(t, badKeyEnv, "BAD-KEY="+leaks[3]+"\n")

	// The cluster sometimes answers with an error that quotes a value.
	h.kube.PrependReactor("create", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		s := a.(k8stesting.CreateAction).GetObject().(*corev1.Secret)
		if s.Name == "webhooked" {
			return true, nil, apierrors.NewBadRequest("admission webhook rejected " + string(s.Data["TOKEN"]))
		}
		return false, nil, nil
	})

	runs := [][]string{
		{"prod-local", "create-secret", "--name", "creds", "--data", "DATA=" + leaks[0], "--from-env-file", env},
		{"prod-local", "create-secret", "--name", "creds", "--data", "DATA=" + leaks[0]},
		{"--debug", "prod-local", "create-secret", "--name", "creds", "--data", "DATA=" + leaks[0]},
		{"prod-local", "create-secret", "--name", "creds", "--update", "--data", "DATA=" + leaks[4], "--from-env-file", env},
		{"-o", "json", "prod-local", "create-secret", "--name", "creds", "--update", "--data", "DATA=" + leaks[0]},
		{"-o", "yaml", "prod-local", "create-secret", "--name", "creds2", "--data", "DATA=" + leaks[0]},
		{"prod-local", "create-secret", "--name", "creds3", "--from-env-file", env, "--dry-run"},
		{"prod-local", "create-secret", "--name", "creds3", "--from-env-file", env, "--dry-run", "-o", "json"},
		{"prod-local", "create-secret", "--name", "creds3", "--from-env-file", env, "--dry-run", "-o", "yaml"},
		{"--debug", "prod-local", "create-secret", "--name", "Bad_Name", "--data", "DATA=" + leaks[0]},
		{"--debug", "prod-local", "create-secret", "--name", "x", "--data", leaks[6]},
		{"--debug", "prod-local", "create-secret", "--name", "x", "--data", "=" + leaks[6]},
		{"--debug", "prod-local", "create-secret", "--name", "x", "--data", "A=" + leaks[0], "--data", "A=" + leaks[6]},
		{"--debug", "prod-local", "create-secret", "--name", "x", "--from-env-file", badEnv},
		{"--debug", "prod-local", "create-secret", "--name", "x", "--from-env-file", badKeyEnv},
		{"--debug", "prod-local", "create-secret", "--name", "x", "--from-env-file", env, "--data", "FROM_FILE=" + leaks[0]},
		{"--debug", "prod-local", "create-secret", "--name", "webhooked", "--data", "TOKEN=" + leaks[5]},
		{"--debug", "-o", "json", "prod-local", "create-secret", "--name", "webhooked", "--data", "TOKEN=" + leaks[5]},
		{"--debug", "prod-local", "create-secret", "--name", "x", "--namespace", "Bad.NS", "--data", "A=" + leaks[0], "--dry-run"},
	}
	codes := map[int]int{}
	for _, args := range runs {
		r := h.run(args...)
		codes[r.code]++
		for _, v := range leaks {
			if strings.Contains(r.out, v) || strings.Contains(r.err, v) {
				t.Errorf("%v (exit %d) printed a value:\nstdout:\n%s\nstderr:\n%s", redactArgs(args, leaks), r.code, r.out, r.err)
			}
		}
		if r.code == 0 && strings.Contains(r.out, "created secret") && !strings.Contains(r.out, "keys") {
			t.Errorf("odd output %s", r.out)
		}
	}
	if codes[0] < 7 || codes[1] < 2 || codes[2] < 7 {
		t.Errorf("exit codes %v: the runs did not take the paths they were meant to", codes)
	}
	for _, c := range h.standIn.Calls() {
		for _, v := range leaks {
			if strings.Contains(strings.Join(c.Args, " "), v) {
				t.Errorf("a value reached minikube's command line: %v", c.Args)
			}
		}
	}
	// The state directory holds no value either (secrets go to the cluster only).
	_ = filepath.Walk(os.Getenv("XDG_STATE_HOME"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, _ := os.ReadFile(path)
		for _, v := range leaks {
			if strings.Contains(string(data), v) {
				t.Errorf("%s holds a value", path)
			}
		}
		return nil
	})
	// And the values did reach the cluster.
	s, err := h.kube.CoreV1().Secrets("default").Get(t.Context(), "creds", metav1.GetOptions{})
	if err != nil || string(s.Data["DATA"]) != leaks[0] || len(s.Data) != 1 {
		t.Errorf("secret creds: %v %v", err, s)
	}
}

func redactArgs(args, leaks []string) []string {
	out := append([]string{}, args...)
	for i := range out {
		for _, v := range leaks {
			out[i] = strings.ReplaceAll(out[i], v, "<value>")
		}
	}
	return out
}

// The command line, as the original's docs print it: the error says
// what is wrong with the name in its own words, with no value redacted out
// of them.
func TestCreateSecretBadNameMessageIsIntact(t *testing.T) {
	dir := newProjectDir(t, goodToml)
	for _, dry := range []bool{true, false} {
		args := []string{"prod-local", "create-secret", "--name", "<your-secret-name>", "--data", "SOME_KEY=value", "--data", "SOME_SECRET=secret"}
		if dry {
			args = append(args, "--dry-run")
		}
		r := run(t, dir, args...)
		if r.code != 2 || !strings.Contains(r.err, `error: secret name "<your-secret-name>" is not valid`) || strings.Contains(r.err, "redacted") {
			t.Errorf("dry run %v: exit %d\n%s", dry, r.code, r.err)
		}
	}
}
