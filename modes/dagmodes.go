package modes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Compiled on first use: at start-up they would slow every command, --help included.
var (
	// mode=VALUE as a keyword argument (create_task(..., mode=MODE)).
	modeArgRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:^|[(,\s])mode\s*=\s*([A-Za-z_][\w.]*|"[^"\n]*"|'[^'\n]*')`)
	})
	// NAME = "value" at the start of a line: what mode=NAME refers to.
	assignRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*("[^"\n]*"|'[^'\n]*')\s*$`)
	})
)

// enumModes maps GaiaflowMode's members to their values.
var enumModes = map[string]Mode{"DEV": Dev, "DEV_DOCKER": DevDocker, "PROD_LOCAL": ProdLocal, "PROD": Prod}

// PinnedModes finds the modes the DAG files under dir pin with
// create_task(mode=...): a literal ("dev_docker"), a module-level name
// assigned a literal (MODE = "dev", as the original template writes it),
// or GaiaflowMode.X. It maps each file (relative to dir) to its modes.
// Modes computed at run time are not seen: this reads the files, it does
// not run them.
func PinnedModes(dir string) (map[string][]Mode, error) {
	found := map[string][]Mode{}
	err := walkDAGFiles(dir, func(rel, src string) {
		src = stripComments(src)
		names := map[string]string{}
		for _, m := range assignRE().FindAllStringSubmatch(src, -1) {
			names[m[1]] = strings.Trim(m[2], `"'`)
		}
		for _, m := range modeArgRE().FindAllStringSubmatch(src, -1) {
			v := m[1]
			switch {
			case strings.HasPrefix(v, `"`) || strings.HasPrefix(v, `'`):
				v = strings.Trim(v, `"'`)
			case strings.Contains(v, "."):
				e, ok := enumModes[v[strings.LastIndex(v, ".")+1:]]
				if !ok {
					continue
				}
				v = string(e)
			default:
				lit, ok := names[v]
				if !ok {
					continue
				}
				v = lit
			}
			mode, err := Parse(v)
			if err == nil && !slices.Contains(found[rel], mode) {
				found[rel] = append(found[rel], mode)
			}
		}
	})
	return found, err
}

// walkDAGFiles calls f with each .py file under dir (skipping hidden
// directories and caches); a missing dir has no files.
func walkDAGFiles(dir string, f func(rel, src string)) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(name, ".") || name == "__pycache__") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".py") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		f(filepath.ToSlash(rel), string(data))
		return nil
	})
}

// PinnedID is the ID of the item about a DAG file that pins mode m.
func PinnedID(file string, m Mode) string { return "dag-mode/" + file + "/" + string(m) }

// notSetUp says why a stack in another mode cannot run tasks of mode m; it
// matches what the library says in its import error.
var notSetUp = map[Mode]string{
	DevDocker: "Airflow's containers get the Docker socket only in dev_docker",
	ProdLocal: "Airflow's containers reach the Minikube cluster only in prod_local",
	Prod:      "the local stack's Airflow does not run inside a Kubernetes cluster",
}

// CheckPinned lists the DAG files under dagsDir that pin a mode other than
// m. A pinned dev is ready (dev runs on every stack) but said, since those
// tasks ignore the project's mode; any other pinned mode fails to import
// on a stack in mode m (the library refuses it at parse time).
func CheckPinned(dagsDir string, m Mode) ([]Requirement, error) {
	pinned, err := PinnedModes(dagsDir)
	if err != nil {
		return nil, fmt.Errorf("read the DAG files: %w", err)
	}
	files := make([]string, 0, len(pinned))
	for f := range pinned {
		files = append(files, f)
	}
	sort.Strings(files)
	var out []Requirement
	for _, f := range files {
		for _, pm := range pinned[f] {
			if pm == m {
				continue
			}
			r := Requirement{ID: PinnedID(f, pm), Name: fmt.Sprintf("dags/%s pins mode %s", f, pm)}
			if pm == Dev {
				r.Ready = true
				r.Detail = fmt.Sprintf("its tasks with mode=%q run in dev, not %s", pm, m)
			} else {
				r.Detail = fmt.Sprintf("on a %s stack its tasks fail to import: %s", m, notSetUp[pm])
				r.Fix = fmt.Sprintf("drop mode= from its create_task calls so they follow the project's mode, or run `gaiaflow mode set %s`", pm)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// Notes are what a person should hear about ready items when a mode is
// set: the DAG files whose tasks pin dev, and so ignore the new mode.
func Notes(reqs []Requirement) []string {
	var out []string
	for _, r := range reqs {
		if r.Ready && strings.HasPrefix(r.ID, "dag-mode/") {
			out = append(out, r.Name+": "+r.Detail)
		}
	}
	return out
}
