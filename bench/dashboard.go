package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// goBench runs Go benchmarks of one package and returns ns/op by name
// (without the -N CPU suffix).
func goBench(b *bench, pkg, pattern string) (map[string]float64, error) {
	wd, _ := os.Getwd()
	out, err := run(wd, "go", "test", "-run", "^$", "-bench", pattern, "-benchtime", "2s", "-count", "1", pkg)
	if err != nil {
		return nil, err
	}
	res := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		if v, err := strconv.ParseFloat(f[2], 64); err == nil {
			res[name] = v
		}
	}
	return res, nil
}

// dashboardView measures a frame of the dashboard at 120×40 with 12
// services, with 1,000 DAGs × 25 runs (the overview, the DAG list, a DAG's
// grid) and with 10,000 MLflow runs, against an empty dashboard.
func dashboardView(b *bench) ([]Row, error) {
	res, err := goBench(b, "./ui/tui/dashboard", "^BenchmarkView(Empty|Services12|Overview1000|DAGs1000|Grid25|MLflowRuns10k)$")
	if err != nil {
		return nil, err
	}
	base := res["BenchmarkViewEmpty"] / 1e9
	var rows []Row
	for _, c := range []struct{ name, bench, subject string }{
		{"dashboard-view-services", "BenchmarkViewServices12", "View() with 12 services"},
		{"dashboard-view-overview", "BenchmarkViewOverview1000", "View() of the overview with 1,000 DAGs × 25 runs"},
		{"dashboard-view-dags", "BenchmarkViewDAGs1000", "View() with 1,000 DAGs × 25 runs"},
		{"dashboard-view-grid", "BenchmarkViewGrid25", "View() of a DAG's grid, 25 runs × its tasks"},
		{"dashboard-view-mlflow", "BenchmarkViewMLflowRuns10k", "View() with 10,000 MLflow runs, metrics as columns"},
	} {
		if _, ok := res[c.bench]; !ok {
			return nil, fmt.Errorf("%s did not report a time", c.bench)
		}
		v := res[c.bench] / 1e9
		rows = append(rows, Row{Name: c.name, Subject: c.subject, Baseline: "View() of an empty dashboard",
			Value: v, Base: base, Unit: "s", Ratio: v / base, Target: "< 5 ms per frame", Met: v < 0.005,
			Note: "ratio is the frame's cost over the empty dashboard's; the target is absolute"})
	}
	return rows, nil
}
