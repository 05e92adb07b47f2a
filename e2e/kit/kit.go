// Package kit is the Go side of the image kit (e2e/images): it builds the
// kit's images and points a project that `gaiaflow init` generated at them
// and at free host ports. The end-to-end suite and the benchmarks (bench/)
// share it, so both run the same stack the same way.
package kit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// Images maps a kit name (python, postgres, airflow, mlflow, minio, jupyter)
// to the tag build.sh built it under.
type Images map[string]string

// names are the images build.sh must report.
var names = []string{"python", "postgres", "airflow", "mlflow", "minio", "jupyter"}

// Build runs e2e/images/build.sh under the repository root and returns the
// NAME=TAG lines it prints. A cached rerun takes about a second; a cold one
// many minutes. The script's progress goes to progress.
func Build(ctx context.Context, root string, progress io.Writer) (Images, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(root, "e2e", "images", "build.sh"))
	cmd.Dir = root
	var errb bytes.Buffer
	cmd.Stderr = io.MultiWriter(&errb, progress)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("e2e/images/build.sh: %w\n%s", err, lastLines(errb.String(), 60))
	}
	img := Images{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok {
			img[k] = v
		}
	}
	for _, want := range names {
		if img[want] == "" {
			return nil, fmt.Errorf("e2e/images/build.sh printed no %s= line; it printed:\n%s", want, out)
		}
	}
	return img, nil
}

// Ports are the host ports a kit stack publishes.
type Ports struct {
	Airflow, MLflow, MinIO, MinIOConsole, Jupyter int
}

// FreePorts picks distinct free TCP ports on 127.0.0.1, so a stack started
// on them leaves a developer's own stack on the default ports alone.
func FreePorts() (Ports, error) {
	got, err := testenv.FreePorts(5)
	if err != nil {
		return Ports{}, err
	}
	return Ports{Airflow: got[0], MLflow: got[1], MinIO: got[2], MinIOConsole: got[3], Jupyter: got[4]}, nil
}

// Settings are the gaiaflow.toml values that run a project's stack on the
// kit's images and on ports p, by table.
func Settings(img Images, p Ports) map[string]map[string]string {
	port := strconv.Itoa
	return map[string]map[string]string{
		"services.airflow": {"port": port(p.Airflow), "image": Quote(img["airflow"]), "db_image": Quote(img["postgres"])},
		"services.mlflow":  {"port": port(p.MLflow), "image": Quote(img["mlflow"]), "db_image": Quote(img["postgres"])},
		"services.minio":   {"port": port(p.MinIO), "console_port": port(p.MinIOConsole), "image": Quote(img["minio"])},
		"services.jupyter": {"port": port(p.Jupyter), "image": Quote(img["jupyter"])},
		"build":            {"base_image": Quote(img["python"])},
	}
}

// Quote is s as a TOML basic string.
func Quote(s string) string { b, _ := json.Marshal(s); return string(b) }

var tableRe = regexp.MustCompile(`^\[([^\]]+)\]\s*$`)

// Configure rewrites the gaiaflow.toml at path, setting values (already TOML
// literals) in the tables init wrote: a key present is replaced in place, a
// missing one goes at its table's end. Nothing else changes. It fails if a
// table is missing, so a change of the template shows up here.
func Configure(path string, set map[string]map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	var table string
	var out []string
	flush := func() {
		keys := make([]string, 0, len(set[table]))
		for k := range set[table] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !done[table+"."+k] {
				out = append(out, fmt.Sprintf("%s = %s", k, set[table][k]))
				done[table+"."+k] = true
			}
		}
	}
	for _, line := range strings.Split(string(data), "\n") {
		if m := tableRe.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			// Keys not present in the previous table go at its end,
			// before the blank lines that end it.
			blanks := 0
			for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
				out = out[:len(out)-1]
				blanks++
			}
			flush()
			for ; blanks > 0; blanks-- {
				out = append(out, "")
			}
			table = m[1]
			out = append(out, line)
			continue
		}
		if k, _, ok := strings.Cut(line, "="); ok {
			key := strings.TrimSpace(k)
			if v, ok := set[table][key]; ok {
				out = append(out, fmt.Sprintf("%s = %s", key, v))
				done[table+"."+key] = true
				continue
			}
		}
		out = append(out, line)
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	flush()
	var missing []string
	for tbl, kv := range set {
		for k := range kv {
			if !done[tbl+"."+k] {
				missing = append(missing, fmt.Sprintf("[%s] %s", tbl, k))
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("%s has no table for %s", path, strings.Join(missing, ", "))
	}
	return os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
