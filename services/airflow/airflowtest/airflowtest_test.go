package airflowtest

import (
	"os/exec"
	"strings"
	"testing"
)

// The harness is test support: the tool must never link it (nor, through
// it, the testing package's flags and a process launcher for Airflow).
func TestTheBinaryDoesNotLinkTheHarness(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/gaiaflow/gaiaflow").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/gaiaflow/gaiaflow/services/airflow/airflowtest" || pkg == "testing" {
			t.Errorf("the gaiaflow binary depends on %s", pkg)
		}
	}
}

func TestTestDAGs(t *testing.T) {
	files := TestDAGs()
	for _, name := range []string{"ok_dag.py", "fail_dag.py", ManyDAGsFile, BrokenDAGFile} {
		if len(files[name]) == 0 {
			t.Errorf("%s missing from %v", name, files)
		}
	}
	if err := writeDAGs(t.TempDir(), map[string][]byte{"../x.py": nil}); err == nil {
		t.Errorf("a path outside the dags folder was accepted")
	}
}
