package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The original Python tool, installed in a throwaway virtual environment.
const originalVersion = "0.0.3"

type hyperfineResult struct {
	Results []struct {
		Command string  `json:"command"`
		Mean    float64 `json:"mean"`
		Stddev  float64 `json:"stddev"`
	} `json:"results"`
}

// hyperfine times the commands side by side and returns their mean seconds.
func hyperfine(b *bench, name string, cmds ...string) ([]float64, error) {
	out := filepath.Join(b.work, name+".json")
	args := []string{"--warmup", "2", "--min-runs", "10", "--style", "basic", "-N", "--export-json", out}
	args = append(args, cmds...)
	if _, err := run(b.work, "hyperfine", args...); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	var r hyperfineResult
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	means := make([]float64, len(r.Results))
	for i, x := range r.Results {
		means[i] = x.Mean
	}
	return means, nil
}

// gaiaflowBinary builds the binary the way users get it.
func gaiaflowBinary(b *bench) (string, error) {
	bin := filepath.Join(b.work, "gaiaflow")
	wd, _ := os.Getwd()
	if _, err := run(wd, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, "."); err != nil {
		return "", err
	}
	return bin, nil
}

// originalHelpDeps are the only distributions the original's `--help`
// imports. Its full dependency set (Airflow, MLflow, Jupyter, providers) did
// not resolve within 15 minutes here, and nothing of it is imported by
// --help, so the baseline installs the package with just these.
var originalHelpDeps = []string{"typer>=0.16,<0.17", "fsspec>=2025.7.0,<2026"}

// originalTool installs the original gaiaflow once into a cached venv.
func originalTool(b *bench) (string, error) {
	venv := filepath.Join(b.work, "original-"+originalVersion)
	bin := filepath.Join(venv, "bin", "gaiaflow")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if _, err := run(b.work, "python3", "-m", "venv", venv); err != nil {
		return "", err
	}
	pip := filepath.Join(venv, "bin", "pip")
	if _, err := run(b.work, pip, "install", "-q", "--no-deps", "gaiaflow=="+originalVersion); err != nil {
		return "", fmt.Errorf("install the original tool: %w", err)
	}
	if _, err := run(b.work, pip, append([]string{"install", "-q"}, originalHelpDeps...)...); err != nil {
		return "", fmt.Errorf("install the original tool's dependencies: %w", err)
	}
	return bin, nil
}

func cliStartup(b *bench) ([]Row, error) {
	bin, err := gaiaflowBinary(b)
	if err != nil {
		return nil, err
	}
	orig, err := originalTool(b)
	if err != nil {
		return nil, err
	}
	means, err := hyperfine(b, "cli-startup", bin+" --help", bin+" version --short", orig+" --help")
	if err != nil {
		return nil, err
	}
	help, ver, origHelp := means[0], means[1], means[2]
	mk := func(name, subject string, v float64) Row {
		ratio := origHelp / v
		return Row{Name: name, Subject: subject, Baseline: "original gaiaflow " + originalVersion + " --help",
			Note:  "original installed with only the dependencies its --help imports (typer, fsspec)" + startupLimit(bin, ratio),
			Value: v, Base: origHelp, Unit: "s", Ratio: ratio, Target: "≥ 50× faster", Met: ratio >= 50}
	}
	return []Row{mk("cli-startup-help", "gaiaflow --help", help), mk("cli-startup-version", "gaiaflow version --short", ver)}, nil
}

// startupLimit says what holds start-up back when the target is missed:
// the binary's size and its package initialisers, read from
// GODEBUG=inittrace=1 (median of a few runs).
func startupLimit(bin string, ratio float64) string {
	if ratio >= 50 {
		return ""
	}
	info, err := os.Stat(bin)
	if err != nil {
		return ""
	}
	var all, own []float64
	for i := 0; i < 9; i++ {
		cmd := exec.Command(bin, "--help")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if cmd.Run() != nil {
			return ""
		}
		a, o, n := initCost(errb.String())
		if n == 0 {
			return ""
		}
		all, own = append(all, a), append(own, o)
	}
	return fmt.Sprintf("; what limits it: starting a %.0f MB binary and the initialisers of its packages, %.1f ms in all "+
		"(GODEBUG=inittrace=1, median of %d), of which gaiaflow's own %.2f ms: the rest is in dependencies "+
		"(the Docker SDK, client-go's rest and clientcmd, bubbletea)", float64(info.Size())/1e6, median(all), len(all), median(own))
}

// initCost sums the clock time of the package initialisers an inittrace
// lists ("init PKG @0.1 ms, 0.05 ms clock, ..."): all of them, and
// gaiaflow's own.
func initCost(trace string) (all, own float64, n int) {
	for _, line := range strings.Split(trace, "\n") {
		f := strings.Fields(line)
		if len(f) < 7 || f[0] != "init" || f[5] != "ms" || f[6] != "clock," {
			continue
		}
		ms, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		all += ms
		n++
		if strings.HasPrefix(f[1], "github.com/gaiaflow/gaiaflow") {
			own += ms
		}
	}
	return all, own, n
}

func median(xs []float64) float64 {
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
