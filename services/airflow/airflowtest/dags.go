package airflowtest

import (
	"embed"
	"path"
	"path/filepath"
	"runtime"
)

// The test DAGs: testdata/dags, plus BrokenDAGFile.
const (
	// OKDAG (ok_dag.py) has two tasks, hello and world, that succeed;
	// hello prints the run's conf.
	OKDAG = "ok_dag"
	// FailDAG (fail_dag.py) runs fine, then boom, which raises
	// RuntimeError("boom on purpose"), then after, which is left
	// upstream_failed.
	FailDAG = "fail_dag"
	// FailingTask is the task of FailDAG that fails.
	FailingTask = "boom"
	// GeneratedDAGs is how many DAGs many_dags.py makes: gen_0000 to
	// gen_0999, one EmptyOperator each, unscheduled.
	GeneratedDAGs = 1000
	// ManyDAGsFile is the file that generates them.
	ManyDAGsFile = "many_dags.py"
	// BrokenDAGFile holds BrokenDAG and always has an import error.
	BrokenDAGFile = "broken_dag.py"
	// PinnedModeDAGFile holds PinnedModeDAG, which fails to import on
	// Airflow started with GaiaflowStackEnv("dev").
	PinnedModeDAGFile = "pinned_mode_dag.py"
)

// PinnedModeDAG pins dev_docker with gaiaflow's create_task: on a gaiaflow
// stack in another mode the library refuses it at parse time.
const PinnedModeDAG = `from datetime import datetime

from airflow.sdk import DAG
from gaiaflow.core.create_task import create_task

with DAG("pinned_mode_dag", schedule=None, start_date=datetime(2025, 1, 1)):
    create_task("work", "os:getcwd", mode="dev_docker", image="pinned:1")
`

// GaiaflowStackEnv is what a gaiaflow stack in mode gives Airflow for DAGs
// that import gaiaflow's library: GAIAFLOW_MODE, and this repository's
// pylib/src on PYTHONPATH (the stack installs the library instead).
func GaiaflowStackEnv(mode string) []string {
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "..", "pylib", "src")
	return []string{"GAIAFLOW_MODE=" + mode, "PYTHONPATH=" + filepath.Clean(src)}
}

// BrokenDAG is a DAG file with a syntax error. It lives here rather than in
// testdata/dags so that linters of the repository's Python never see it. It
// names "airflow" and "dag": the dag processor skips files that mention
// neither (its safe-mode heuristic), and those never get an import error.
const BrokenDAG = `from airflow.sdk import dag

def broken_dag(:
    pass
`

//go:embed testdata/dags/*.py
var dagFS embed.FS

// TestDAGs returns every test DAG file by name: ok_dag.py, fail_dag.py,
// many_dags.py and broken_dag.py. Delete ManyDAGsFile from the map when the
// tests do not need a thousand DAGs: parsing them costs a few seconds.
func TestDAGs() map[string][]byte {
	files := map[string][]byte{BrokenDAGFile: []byte(BrokenDAG)}
	entries, err := dagFS.ReadDir("testdata/dags")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	for _, e := range entries {
		data, err := dagFS.ReadFile(path.Join("testdata/dags", e.Name()))
		if err != nil {
			panic(err)
		}
		files[e.Name()] = data
	}
	return files
}
