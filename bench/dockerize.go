package main

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// dockerizeResult is the `-o json` result line of `gaiaflow dev dockerize`.
type dockerizeResult struct {
	Kind    string `json:"kind"`
	Context struct {
		Bytes int64 `json:"bytes"`
	} `json:"context"`
	Steps []struct {
		Cached bool `json:"cached"`
	} `json:"steps"`
	DurationNS int64 `json:"duration_ns"`
}

func dockerize(l *liveProject, args ...string) (dockerizeResult, error) {
	out, _, err := l.gf(append([]string{"-o", "json", "dev", "dockerize"}, args...)...)
	if err != nil {
		return dockerizeResult{}, err
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r dockerizeResult
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Kind == "result" {
			return r, nil
		}
	}
	return dockerizeResult{}, fmt.Errorf("gaiaflow dev dockerize -o json printed no result line")
}

// dataBytes is the size of the data file the bench puts in the project's
// data/ directory, as a data scientist's project has: the build must leave
// it out.
const dataBytes = 32 << 20

// dockerizeRebuild builds the example project's task image (on the kit's
// Python image) without the engine's cache, then after a code-only change;
// and compares the bytes sent to the engine with the project's own.
func dockerizeRebuild(b *bench) ([]Row, error) {
	l, err := b.live()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(l.dir, "data", "bench-sample.bin")
	if err := os.MkdirAll(filepath.Dir(data), 0o755); err != nil {
		return nil, err
	}
	buf := make([]byte, dataBytes)
	_, _ = rand.Read(buf)
	if err := os.WriteFile(data, buf, 0o644); err != nil {
		return nil, err
	}
	code := filepath.Join(l.dir, "src", l.pkg, "__init__.py")
	var cold, rebuild []time.Duration
	var last dockerizeResult
	for round := 0; round < b.rounds; round++ {
		r, err := dockerize(l, "--no-cache")
		if err != nil {
			return nil, err
		}
		cold = append(cold, time.Duration(r.DurationNS))
		// A code-only change: one more line in the package.
		f, err := os.OpenFile(code, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		_, err = fmt.Fprintf(f, "\nBENCH_ROUND = %d\n", round)
		_ = f.Close()
		if err != nil {
			return nil, err
		}
		if last, err = dockerize(l); err != nil {
			return nil, err
		}
		rebuild = append(rebuild, time.Duration(last.DurationNS))
	}
	cached := 0
	for _, s := range last.Steps {
		if s.Cached {
			cached++
		}
	}
	total, err := dirBytes(l.dir)
	if err != nil {
		return nil, err
	}
	c, r := mean(cold), mean(rebuild)
	ctx := float64(last.Context.Bytes)
	return []Row{
		{Name: "dockerize-rebuild", Subject: "gaiaflow dev dockerize after a code-only change", Baseline: "gaiaflow dev dockerize --no-cache",
			Value: r.Seconds(), Base: c.Seconds(), Unit: "s", Ratio: r.Seconds() / c.Seconds(), Target: "≤ 0.2× the cold build", Met: r.Seconds() <= 0.2*c.Seconds(),
			Note: fmt.Sprintf("the example project (init --examples) on the kit's Python; mean of %d rounds; cold %s, rebuild %s; the rebuild took %d of %d steps from the cache",
				b.rounds, seconds(cold), seconds(rebuild), cached, len(last.Steps))},
		{Name: "dockerize-context", Subject: "build context sent to the engine", Baseline: "the project's files on disk",
			Value: ctx / 1024, Base: float64(total) / 1024, Unit: "KiB", Ratio: ctx / float64(total), Target: "the project's code and manifests only", Met: ctx < float64(total)/100,
			Note: fmt.Sprintf("the project holds a %d MiB file in data/, which is always left out", dataBytes>>20)},
	}, nil
}
