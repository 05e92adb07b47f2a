package airflowtest

import (
	"embed"
	"path"
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
)

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
