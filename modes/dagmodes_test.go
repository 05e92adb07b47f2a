package modes

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/project"
)

func writeDAGs(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The ways DAGs pin a mode, the original template's among them; what is
// computed or commented out is not a pin.
var pinningDAGs = map[string]string{
	"change_me_task_factory_dag.py": "# Define the mode here.\nMODE = \"dev\"\nwith DAG(\"x\", tags=[MODE]) as dag:\n    t = create_task(task_id=\"a\", func_path=\"p:f\",\n        mode=MODE,\n        dag=dag)\n",
	"literal.py":                    "create_task(task_id='a', func_path='p:f', mode='dev_docker')\ncreate_task(task_id='b', func_path='p:f', mode=\"dev_docker\")\n",
	"enum.py":                       "from gaiaflow.core.create_task import GaiaflowMode\ncreate_task(task_id='a', func_path='p:f', mode=GaiaflowMode.PROD_LOCAL)\n",
	"sub/typed.py":                  "MODE: str = 'prod'\ncreate_task('a', 'p:f', mode=MODE)\n",
	"computed.py":                   "import os\ncreate_task('a', 'p:f', mode=os.environ['X'])\n",
	"commented.py":                  "create_task('a', 'p:f')  # mode=\"prod\"\n# mode='dev_docker'\n",
	"follows.py":                    "create_task('a', 'p:f', resource_mode='x')\n",
	"notes.txt":                     "mode='prod'\n",
}

func TestPinnedModes(t *testing.T) {
	dir := t.TempDir()
	writeDAGs(t, dir, pinningDAGs)
	got, err := PinnedModes(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]Mode{
		"change_me_task_factory_dag.py": {Dev},
		"literal.py":                    {DevDocker},
		"enum.py":                       {ProdLocal},
		"sub/typed.py":                  {Prod},
	}
	if !maps.EqualFunc(got, want, slices.Equal[[]Mode]) {
		t.Errorf("PinnedModes = %v, want %v", got, want)
	}
	if got, err := PinnedModes(filepath.Join(dir, "missing")); err != nil || len(got) != 0 {
		t.Errorf("a missing folder: %v %v", got, err)
	}
}

// mode check lists every DAG file pinned to another mode: dev is ready
// (it runs on every stack) but said; any other mode is missing, since its
// tasks fail to import on the stack.
func TestCheckListsDAGsPinnedToAnotherMode(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, project.FileName), []byte("name = \"demo\"\npackage = \"demo\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeDAGs(t, filepath.Join(dir, "dags"), map[string]string{
		"original.py": pinningDAGs["change_me_task_factory_dag.py"],
		"docker.py":   pinningDAGs["literal.py"],
	})
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	byID := func(reqs []Requirement) map[string]Requirement {
		out := map[string]Requirement{}
		for _, r := range reqs {
			out[r.ID] = r
		}
		return out
	}
	reqs, err := Check(context.Background(), p, Dev, Machine{})
	if err != nil {
		t.Fatal(err)
	}
	items := byID(reqs)
	if len(reqs) != 1 {
		t.Fatalf("dev: %+v", reqs)
	}
	r := items[PinnedID("docker.py", DevDocker)]
	if r.Ready || r.Name != "dags/docker.py pins mode dev_docker" || !strings.Contains(r.Detail, "fail to import") ||
		!strings.Contains(r.Fix, "gaiaflow mode set dev_docker") || !strings.Contains(r.Fix, "drop mode=") {
		t.Errorf("dev: %+v", r)
	}

	reqs, err = Check(context.Background(), p, DevDocker, Machine{})
	if err != nil {
		t.Fatal(err)
	}
	items = byID(reqs)
	r = items[PinnedID("original.py", Dev)]
	if !r.Ready || !strings.Contains(r.Detail, "run in dev, not dev_docker") {
		t.Errorf("dev_docker: %+v", reqs)
	}
	if _, ok := items[PinnedID("docker.py", DevDocker)]; ok {
		t.Errorf("a DAG pinning the checked mode is listed: %+v", reqs)
	}
	if _, ok := items[IDTaskImage]; !ok {
		t.Errorf("the mode's own items are gone: %+v", reqs)
	}
	if n := Notes(reqs); len(n) != 1 || n[0] != "dags/original.py pins mode dev: its tasks with mode=\"dev\" run in dev, not dev_docker" {
		t.Errorf("notes %q", n)
	}
}
