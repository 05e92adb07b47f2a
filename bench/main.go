// Command bench measures gaiaflow against its baselines and writes
// docs/benchmarks.md and docs/benchmarks.json. Every figure comes from a
// measurement taken in this run; each is reported as a ratio against a
// baseline measured in the same run. Run it with `make bench`.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Row is one line of the report.
type Row struct {
	Name     string  `json:"name"`
	Subject  string  `json:"subject"`  // what we measured
	Baseline string  `json:"baseline"` // what we compare with
	Value    float64 `json:"value"`    // the subject's figure
	Base     float64 `json:"base"`     // the baseline's figure
	Unit     string  `json:"unit"`
	Ratio    float64 `json:"ratio"`  // Base/Value when higher is better ("× faster"), else Value/Base
	Target   string  `json:"target"` // the budget in words
	Met      bool    `json:"met"`
	Note     string  `json:"note,omitempty"` // what limits it, when missed or not measured
	Skipped  bool    `json:"skipped,omitempty"`
	Group    string  `json:"group"`    // the harness that measured it (a name -only takes)
	Measured string  `json:"measured"` // when, in UTC
}

// Report is the whole run.
type Report struct {
	Date    time.Time `json:"date"`
	Machine Machine   `json:"machine"`
	Rows    []Row     `json:"rows"`
}

// Machine describes where the figures were taken.
type Machine struct {
	OS     string `json:"os"`
	Arch   string `json:"arch"`
	CPUs   int    `json:"cpus"`
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	Go     string `json:"go"`
}

func main() {
	out := flag.String("out", "docs", "directory for benchmarks.md and benchmarks.json")
	work := flag.String("work", filepath.Join(os.TempDir(), "gaiaflow-bench"), "scratch directory (venvs, binaries)")
	only := flag.String("only", "", "comma-separated harnesses to run (default: all); the other rows are kept from the last report")
	rounds := flag.Int("rounds", 3, "rounds of the slow rows (stack start, dockerize)")
	flag.Parse()
	if err := os.MkdirAll(*work, 0o755); err != nil {
		fail(err)
	}
	b := &bench{work: *work, only: map[string]bool{}, rounds: max(*rounds, 1)}
	for _, n := range strings.Split(*only, ",") {
		if n != "" {
			b.only[n] = true
		}
	}
	rep := Report{Date: time.Now().UTC(), Machine: machine()}
	last := lastRows(*out)
	for _, r := range rows {
		if len(b.only) > 0 && !b.only[r.name] {
			rep.Rows = append(rep.Rows, last[r.name]...)
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", r.name)
		got, err := r.run(b)
		if err != nil {
			fmt.Fprintf(os.Stderr, "   %s: %v\n", r.name, err)
			got = []Row{{Name: r.name, Skipped: true, Note: err.Error()}}
		}
		for i := range got {
			got[i].Group, got[i].Measured = r.name, time.Now().UTC().Format("2006-01-02 15:04 UTC")
		}
		rep.Rows = append(rep.Rows, got...)
	}
	for _, c := range b.cleanups {
		c()
	}
	if err := write(*out, rep); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", filepath.Join(*out, "benchmarks.md"))
}

type bench struct {
	work     string
	only     map[string]bool
	rounds   int
	proj     *liveProject // the stack and task-image rows' project, made on first use
	cleanups []func()     // run once every row has run
}

type rowFunc struct {
	name string
	run  func(*bench) ([]Row, error)
}

// rows are measured in this order; the stack rows share one project.
var rows = []rowFunc{
	{"cli-startup", cliStartup},
	{"dashboard-view", dashboardView},
	{"stack-start", stackStart},
	{"stack-phases", stackPhases},
	{"first-start", firstStart},
	{"dashboard-idle", dashboardIdle},
	{"dockerize", dockerizeRebuild},
}

// lastRows are the rows of the report in dir, by harness, so a run of some
// harnesses keeps the others' figures (each row says when it was measured).
func lastRows(dir string) map[string][]Row {
	out := map[string][]Row{}
	data, err := os.ReadFile(filepath.Join(dir, "benchmarks.json"))
	if err != nil {
		return out
	}
	var rep Report
	if json.Unmarshal(data, &rep) != nil {
		return out
	}
	for _, r := range rep.Rows {
		if r.Group == "" { // a report from before rows named their harness
			r.Group = groupOf(r.Name)
		}
		if r.Measured == "" {
			r.Measured = rep.Date.Format("2006-01-02 15:04 UTC")
		}
		if r.Group != "" {
			out[r.Group] = append(out[r.Group], r)
		}
	}
	return out
}

// groupOf is the harness whose rows are named like name.
func groupOf(name string) string {
	if name == "idle-docker-requests" {
		return "dashboard-idle"
	}
	for _, r := range rows {
		if strings.HasPrefix(name, r.name) {
			return r.name
		}
	}
	return ""
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func machine() Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, v, _ := strings.Cut(l, ":")
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		first, _, _ := strings.Cut(string(data), "\n")
		m.Memory = strings.Join(strings.Fields(first)[1:], " ")
	}
	return m
}

// run executes a command in dir, echoing it, and returns its stdout.
func run(dir string, name string, args ...string) (string, error) {
	out, _, err := command(dir, nil, name, args...)
	return out, err
}

// command executes a command in dir with env (nil: this process's),
// echoing it, and returns its stdout and how long it ran; on failure the
// error holds the end of what it printed.
func command(dir string, env []string, name string, args ...string) (string, time.Duration, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	fmt.Fprintf(os.Stderr, "   $ %s %s\n", filepath.Base(name), strings.Join(args, " "))
	begin := time.Now()
	err := cmd.Run()
	took := time.Since(begin)
	if err != nil {
		return out.String(), took, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, tail(errb.String()+out.String(), 30))
	}
	return out.String(), took, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func write(dir string, rep Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "benchmarks.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# gaiaflow benchmarks\n\nGenerated by `make bench` on %s. Do not edit: rerun it.\n\n", rep.Date.Format("2006-01-02 15:04 UTC"))
	m := rep.Machine
	fmt.Fprintf(&b, "Machine: %s/%s, %d CPUs (%s), %s memory, %s.\n\n", m.OS, m.Arch, m.CPUs, m.CPU, m.Memory, m.Go)
	b.WriteString("Each figure is a ratio against a baseline measured in the same run. Each row says when it was measured: " +
		"`go run ./bench -only NAME` reruns one harness and keeps the other rows.\n\n")
	b.WriteString("| row | measured | baseline | ratio | target | met | when |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rep.Rows {
		if r.Skipped {
			fmt.Fprintf(&b, "| %s | not measured | | | | no: %s | %s |\n", r.Name, oneLine(r.Note), r.Measured)
			continue
		}
		met := "yes"
		if !r.Met {
			met = "**no** (see notes)"
		}
		fmt.Fprintf(&b, "| %s | %s: %s | %s: %s | %s× | %s | %s | %s |\n",
			r.Name, r.Subject, fmtValue(r.Value, r.Unit), r.Baseline, fmtValue(r.Base, r.Unit), fmtRatio(r.Ratio), r.Target, met, r.Measured)
	}
	notes := false
	for _, r := range rep.Rows {
		if r.Note != "" && !r.Skipped {
			if !notes {
				b.WriteString("\nNotes:\n\n")
				notes = true
			}
			fmt.Fprintf(&b, "- %s: %s\n", r.Name, r.Note)
		}
	}
	return os.WriteFile(filepath.Join(dir, "benchmarks.md"), []byte(b.String()), 0o644)
}

func fmtValue(v float64, unit string) string {
	switch unit {
	case "s":
		if v < 0.001 {
			return fmt.Sprintf("%.0f µs", v*1e6)
		}
		if v < 1 {
			return fmt.Sprintf("%.1f ms", v*1000)
		}
		return fmt.Sprintf("%.2f s", v)
	}
	if v >= 1000 {
		return fmt.Sprintf("%.0f %s", v, unit)
	}
	return fmt.Sprintf("%.3g %s", v, unit)
}

func fmtRatio(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.2g", r)
}

func oneLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.ReplaceAll(first, "|", "/")
}
