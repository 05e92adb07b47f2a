package render

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

func TestRankDAGsWorstFirst(t *testing.T) {
	dags := []tui.DAG{
		{ID: "never"},
		{ID: "old-ok", LastRunState: "success", LastRunStart: t0.Add(-5 * time.Hour)},
		{ID: "new-ok", LastRunState: "success", LastRunStart: t0.Add(-time.Hour)},
		{ID: "running", LastRunState: "running", LastRunStart: t0},
		{ID: "failed", LastRunState: "failed", LastRunStart: t0.Add(-9 * time.Hour)},
		{ID: "broken", ImportError: "SyntaxError"},
	}
	var got []string
	for _, d := range RankDAGs(dags) {
		got = append(got, d.ID)
	}
	if strings.Join(got, " ") != "broken failed running new-ok old-ok never" {
		t.Errorf("RankDAGs = %v", got)
	}
	if dags[0].ID != "never" {
		t.Error("RankDAGs changed its input")
	}
}

func TestOverviewCells(t *testing.T) {
	cases := []struct {
		d    tui.DAG
		want string
	}{
		{tui.DAG{ID: "a", LastRunState: "success", LastRunStart: t0.Add(-2 * time.Hour), LastRunEnd: t0.Add(-2*time.Hour + 41*time.Second)}, "a|✓ success|2h ago|41s|"},
		{tui.DAG{ID: "b", LastRunState: "running", LastRunStart: t0.Add(-time.Minute), Paused: true}, "b|▶ running|1m ago|1m00s|paused"},
		{tui.DAG{ID: "c", ImportError: "ModuleNotFoundError: x\n  File"}, "c|✗ not imported|-|-|✗ import error: ModuleNotFoundError: x"},
		{tui.DAG{ID: "d"}, "d|· none|-|-|"},
	}
	for _, c := range cases {
		var parts []string
		for _, cell := range OverviewDAGCells(c.d, t0) {
			parts = append(parts, cell.Text)
		}
		if got := strings.Join(parts, "|"); got != c.want {
			t.Errorf("OverviewDAGCells(%s) = %q, want %q", c.d.ID, got, c.want)
		}
	}
	svc := tui.Service{Name: "minio", State: tui.StateUnhealthy, Culprit: "minio", URL: "http://127.0.0.1:9001",
		Containers: []tui.Container{{Name: "minio", State: tui.StateExited, ExitCode: 137, OOMKilled: true}}}
	if c := OverviewServiceCells(svc); c[1].Text != "✗ unhealthy: minio exited (137, OOM killed)" || c[1].Tone != Bad || c[2].Text != svc.URL {
		t.Errorf("OverviewServiceCells = %+v", c)
	}
}

func TestSummariesAndProblems(t *testing.T) {
	ok := tui.Service{Name: "a", Enabled: true, State: tui.StateHealthy}
	bad := tui.Service{Name: "b", Enabled: true, State: tui.StateUnhealthy, Containers: []tui.Container{
		{Name: "b-one", State: tui.StateExited, ExitCode: 1},
		{Name: "b-init", State: tui.StateExited, OneShot: true},
		{Name: "b-two", State: tui.StateStopped},
		{Name: "b-three", State: tui.StateRestarting, RestartCount: 4},
	}}
	off := tui.Service{Name: "c", State: tui.StateDisabled}
	if s, tone := ServiceSummary([]tui.Service{ok, bad, off}); s != "1 of 2 healthy" || tone != Warn {
		t.Errorf("ServiceSummary = %q %v", s, tone)
	}
	if s, tone := ServiceSummary([]tui.Service{ok}); s != "all 1 healthy" || tone != Good {
		t.Errorf("ServiceSummary = %q %v", s, tone)
	}
	var texts []string
	for _, p := range ContainerProblems([]tui.Service{ok, bad}) {
		texts = append(texts, p.Text+"@"+p.Service)
	}
	if strings.Join(texts, "; ") != "✗ b-one exited (1)@b; ↻ b-three restarting (4×)@b" {
		t.Errorf("ContainerProblems = %v", texts)
	}
	f := tui.Failure{DAGID: "etl", RunID: "r", TaskID: "fit", MapIndex: 2, Try: 2, End: t0.Add(-3 * time.Hour), Error: "ValueError: bad"}
	if p := FailureProblem(f, t0); p.Text != "✗ etl › fit[2] failed 3h ago (try 2): ValueError: bad" || p.Failure == nil {
		t.Errorf("FailureProblem = %+v", p)
	}
	ms := tui.ModeStatus{Mode: "dev_docker", Checks: []tui.Check{{OK: false}, {OK: true}}}
	if s, tone := ModeSummary(ms); s != "dev_docker · not ready: 1 item missing" || tone != Bad {
		t.Errorf("ModeSummary = %q", s)
	}
	if s, _ := DAGSummary([]tui.DAG{{ID: "a", LastRunState: "failed"}, {ID: "b", ImportError: "x"}, {ID: "c", LastRunState: "running"}}); s != "3 DAGs · 1 running · 1 failed · 1 import error" {
		t.Errorf("DAGSummary = %q", s)
	}
}

func TestSparklineMetricSize(t *testing.T) {
	cases := []struct {
		vs    []float64
		width int
		want  string
	}{
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, 8, "▁▂▃▄▅▆▇█"},
		{[]float64{3, 3, 3}, 8, "▁▁▁"},
		{[]float64{1, 2, math.NaN(), 3}, 8, "▁▅█"},
		{[]float64{9, 1, 2, 3}, 3, "▁▅█"}, // the last three
		{nil, 8, ""},
	}
	for _, c := range cases {
		if got := Sparkline(c.vs, c.width); got != c.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", c.vs, c.width, got, c.want)
		}
	}
	for v, want := range map[float64]string{0.97: "0.97", 0.123456: "0.1235", 12345678: "1.235e+07", math.Inf(1): "+Inf"} {
		if got := Metric(v); got != want {
			t.Errorf("Metric(%v) = %q, want %q", v, got, want)
		}
	}
	for n, want := range map[int64]string{5: "5 B", 18231: "17.8 KiB", 3 << 20: "3 MiB", 1536 << 20: "1.5 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMLflowRunCells(t *testing.T) {
	r := tui.MLflowRun{Name: "brave-otter", Status: "FAILED", Start: t0.Add(-time.Hour), End: t0.Add(-time.Hour + 19*time.Second),
		Metrics: map[string]float64{"accuracy": 0.9}, Task: "etl › train"}
	cells := MLflowRunCells(r, []string{"accuracy", "loss"}, true, t0)
	var parts []string
	for _, c := range cells {
		parts = append(parts, c.Text)
	}
	if strings.Join(parts, "|") != "brave-otter|failed|1h ago|19s|etl › train|0.9|-" || cells[1].Tone != Bad {
		t.Errorf("MLflowRunCells = %v", parts)
	}
	if cols := MLflowRunColumns([]string{"accuracy", "loss"}, true); len(cols) != 7 || cols[5].Title != "ACCURACY" {
		t.Errorf("MLflowRunColumns = %+v", cols)
	}
}
