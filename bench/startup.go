package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
			Note:  "original installed with only the dependencies its --help imports (typer, fsspec)",
			Value: v, Base: origHelp, Unit: "s", Ratio: ratio, Target: "≥ 50× faster", Met: ratio >= 50}
	}
	return []Row{mk("cli-startup-help", "gaiaflow --help", help), mk("cli-startup-version", "gaiaflow version --short", ver)}, nil
}
