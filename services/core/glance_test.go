package core

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/airflow/airflowfake"
	"github.com/gaiaflow/gaiaflow/services/errs"
)

func airflowDir(t *testing.T, f *airflowfake.Fake) string {
	t.Helper()
	return demoDir(t, fmt.Sprintf("[services.airflow]\nport = %d\n", f.Port()))
}

// A failed run's failed task is listed with the first line of its log
// that says why; a succeeded one is not.
func TestFailuresNameTheTaskAndItsError(t *testing.T) {
	f := airflowfake.New(t)
	f.SetRun("failed", airflowfake.Task("load", "success"), airflowfake.Task("train", "failed"), airflowfake.Task("report", "upstream_failed"))
	f.SetLog("Traceback (most recent call last):", `  File "steps.py", line 3, in train`, "ValueError: bad shape")
	c := nothing(t, airflowDir(t, f))
	fs, err := c.Failures(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	// Both DAGs' newest runs failed, each at train.
	if len(fs) != 2 {
		t.Fatalf("failures = %+v", fs)
	}
	for _, x := range fs {
		if x.TaskID != "train" || x.Error != "ValueError: bad shape" || x.RunID != airflowfake.RunID || x.Try != 1 {
			t.Errorf("failure = %+v", x)
		}
	}
	if fs, _ := c.Failures(context.Background(), 1); len(fs) != 1 {
		t.Errorf("limit 1: %+v", fs)
	}
	if _, err := c.Failures(context.Background(), 0); errs.KindOf(err) != errs.Usage {
		t.Errorf("limit 0: %v", err)
	}
	f.SetRun("success", airflowfake.Task("train", "success"))
	if fs, err := c.Failures(context.Background(), 3); err != nil || len(fs) != 0 {
		t.Errorf("nothing failed: %+v, %v", fs, err)
	}
}

// The grid has a column per run and a row per task, each cell the task's
// instance in that run.
func TestGridIsRunsByTasks(t *testing.T) {
	f := airflowfake.New(t)
	f.SetRun("failed", airflowfake.Task("load", "success"), airflowfake.Task("train", "failed"))
	c := nothing(t, airflowDir(t, f))
	g, err := c.Grid(context.Background(), "ok_dag", 25)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Runs) != 1 || strings.Join(g.Tasks, ",") != "load,train" {
		t.Fatalf("grid = %+v", g)
	}
	if ti := g.Instances[airflowfake.RunID]["train"]; ti.State != "failed" {
		t.Errorf("train's cell = %+v", ti)
	}
	if _, err := c.Grid(context.Background(), "", 25); errs.KindOf(err) != errs.Usage {
		t.Errorf("no DAG: %v", err)
	}
	if _, err := c.Grid(context.Background(), "nope", 25); err == nil || !strings.Contains(err.Error(), `no DAG "nope"`) {
		t.Errorf("an unknown DAG: %v", err)
	}
}

func TestSummedMappedTaskShowsItsWorstElement(t *testing.T) {
	a := airflowTI("fit", "success", 1)
	b := airflowTI("fit", "failed", 2)
	got := summed(a, b)
	if got.State != "failed" || got.TryNumber != 2 || got.MapIndex != -1 {
		t.Errorf("summed = %+v", got)
	}
}
