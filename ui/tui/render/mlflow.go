package render

import (
	"math"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// sparks are the eight heights of a sparkline's bars.
var sparks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as bars in at most width cells, the last values
// when there are more than fit; a flat series is a flat line. NaN and
// infinite values are left out.
func Sparkline(values []float64, width int) string {
	var vs []float64
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vs = append(vs, v)
		}
	}
	if width <= 0 || len(vs) == 0 {
		return ""
	}
	if len(vs) > width {
		vs = vs[len(vs)-width:]
	}
	lo, hi := vs[0], vs[0]
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	out := make([]rune, len(vs))
	for i, v := range vs {
		level := 0
		if hi > lo {
			level = int(math.Round((v - lo) / (hi - lo) * float64(len(sparks)-1)))
		}
		out[i] = sparks[level]
	}
	return string(out)
}

// Metric is a metric's value in at most a few cells: 4 significant digits.
func Metric(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// MLflowStatusTone is the colour of an MLflow run's status.
func MLflowStatusTone(status string) Tone {
	switch status {
	case "FINISHED":
		return Good
	case "FAILED":
		return Bad
	case "RUNNING", "SCHEDULED":
		return Busy
	case "KILLED":
		return Warn
	}
	return Muted
}

// ExperimentColumns and ExperimentCells are the MLflow panel's first level.
func ExperimentColumns() []Column {
	return []Column{{Title: "EXPERIMENT"}, {Title: "ID", Drop: 2}, {Title: "CHANGED"}}
}

// ExperimentCells is one experiment's row.
func ExperimentCells(e tui.Experiment, now time.Time) []Cell {
	return []Cell{{Text: e.Name}, {Text: e.ID, Tone: Muted}, {Text: When(e.LastUpdate, now), Tone: Muted}}
}

// MLflowRunColumns are the columns of a list of runs: its facts, then one
// column per metric shown (the user chooses them), the last ones given up
// first when the terminal is narrow.
func MLflowRunColumns(metrics []string, withTask bool) []Column {
	// Giving up width: the task's name is cut, then goes; then TOOK goes;
	// then the metrics' long titles are cut (their values are short);
	// then STARTED goes; last, metrics go from the right.
	cols := []Column{{Title: "RUN"}, {Title: "STATUS"}, {Title: "STARTED", Drop: 4 + len(metrics)}, {Title: "TOOK", Drop: 3}}
	if withTask {
		cols = append(cols, Column{Title: "TASK", Cut: 1, Min: 10, Drop: 2})
	}
	for i, k := range metrics {
		cols = append(cols, Column{Title: strings.ToUpper(k), Cut: 4 + i, Min: 8, Drop: 5 + 2*len(metrics) - i})
	}
	return cols
}

// MLflowRunCells is one run's row, its metrics in the order given.
func MLflowRunCells(r tui.MLflowRun, metrics []string, withTask bool, now time.Time) []Cell {
	name := r.Name
	if name == "" {
		name = r.ID
	}
	cells := []Cell{
		{Text: name},
		{Text: strings.ToLower(r.Status), Tone: MLflowStatusTone(r.Status)},
		{Text: When(r.Start, now), Tone: Muted},
		{Text: Duration(r.Start, r.End, now), Tone: Muted},
	}
	if withTask {
		cells = append(cells, Cell{Text: r.Task, Tone: Muted})
	}
	for _, k := range metrics {
		if v, ok := r.Metrics[k]; ok {
			cells = append(cells, Cell{Text: Metric(v)})
		} else {
			cells = append(cells, Cell{Text: "-", Tone: Muted})
		}
	}
	return cells
}

// binaryUnits are the units of Size.
var binaryUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}

// Size is a file size for people: "5 B", "17.8 KiB", "3 MiB".
func Size(n int64) string { return units.CustomSize("%.3g %s", float64(n), 1024, binaryUnits) }
