// Command testlog turns `go test -json` into the log plain `go test` prints —
// a summary line per package, the whole output of each failing test — and
// adds to each package's summary the Docker engines its tests ran on (the
// lines testenv.RequireDocker logs). CI runs the real-daemon packages against
// more than one engine; without -v, plain `go test` would hide which.
//
//	go test -json PKGS | go run ./e2e/testlog [-docker-packages "./a ./b"]
//
// With -docker-packages and -docker-tests (the Makefile's DOCKER_PKGS and
// DOCKER_TESTS: what CI runs on every engine), a test that ran on a Docker
// engine outside those packages, or whose name the pattern does not match, is
// a failure: it would silently miss the other engines.
//
// It exits 1 when a test or a package failed, a real-daemon test is not
// covered, or the input held no package result at all.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output events
}

func main() {
	listed := flag.String("docker-packages", "", "the packages (./dir, space-separated) listed to run on every Docker engine")
	pattern := flag.String("docker-tests", "", "the -run pattern of the tests that run on every Docker engine")
	flag.Parse()
	var tests *regexp.Regexp
	if *pattern != "" {
		var err error
		if tests, err = regexp.Compile(*pattern); err != nil {
			fmt.Fprintln(os.Stderr, "testlog: -docker-tests:", err)
			os.Exit(2)
		}
	}
	res, err := filter(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testlog:", err)
		os.Exit(1)
	}
	if *listed != "" {
		module, err := modulePath("go.mod")
		if err != nil {
			fmt.Fprintln(os.Stderr, "testlog:", err)
			os.Exit(1)
		}
		if missing := unlisted(res.docker, module, strings.Fields(*listed)); len(missing) > 0 {
			fmt.Printf("FAIL\tthe tests of %s ran on the Docker engine, but DOCKER_PKGS in the Makefile does not list them\n"+
				"\thint: add them to DOCKER_PKGS, so that CI runs them on every engine it tests\n", strings.Join(missing, ", "))
			res.failed = true
		}
	}
	if tests != nil {
		if unnamed := unmatched(res.dockerTests, tests); len(unnamed) > 0 {
			fmt.Printf("FAIL\t%s ran on the Docker engine, but DOCKER_TESTS in the Makefile (%s) does not match them\n"+
				"\thint: name a test that uses the real engine TestRealDocker..., so that CI runs it on every engine it tests\n",
				strings.Join(unnamed, ", "), tests)
			res.failed = true
		}
	}
	if res.failed {
		os.Exit(1)
	}
}

// result is what the log said: whether anything failed, and which packages
// ran tests on a Docker engine.
type result struct {
	failed      bool
	docker      []string // import paths
	dockerTests []string // "import/path.TestName", top-level tests
}

// unmatched returns the tests whose name (after the package's path and a
// dot) the pattern does not match.
func unmatched(tests []string, pattern *regexp.Regexp) []string {
	var out []string
	for _, t := range tests {
		if !pattern.MatchString(t[strings.LastIndex(t, ".")+1:]) {
			out = append(out, t)
		}
	}
	return out
}

// modulePath reads the module path from a go.mod file.
func modulePath(gomod string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("-docker-packages needs the module path: %w (run from the module's root)", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s has no module line", gomod)
}

// unlisted returns the packages in docker that listed (./dir paths relative
// to the module's root) does not name.
func unlisted(docker []string, module string, listed []string) []string {
	names := map[string]bool{}
	for _, l := range listed {
		names[strings.TrimSuffix(module+"/"+strings.TrimPrefix(strings.TrimPrefix(l, "./"), "."), "/")] = true
	}
	var out []string
	for _, p := range docker {
		if !names[p] {
			out = append(out, p)
		}
	}
	return out
}

// filter copies the log from r to w.
func filter(r io.Reader, w io.Writer) (res result, err error) {
	type key struct{ pkg, test string }
	pending := map[key][]string{}           // output of tests still running
	engines := map[string]map[string]bool{} // package -> engine lines
	onDocker := map[string]bool{}           // package.Test -> ran on an engine
	results := 0
	failed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			// go test writes some errors as plain text (a package that does
			// not exist): pass them on.
			fmt.Fprintln(w, string(line))
			continue
		}
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output)
		case e.Action == "build-fail":
			failed = true
		case e.Test != "" && e.Action == "output":
			if strings.HasPrefix(e.Output, "=== ") { // RUN, PAUSE, CONT: -json implies -v
				continue
			}
			k := key{e.Package, e.Test}
			pending[k] = append(pending[k], e.Output)
			if _, rest, ok := strings.Cut(e.Output, testenv.EngineMarker); ok {
				if engines[e.Package] == nil {
					engines[e.Package] = map[string]bool{}
				}
				engines[e.Package][strings.TrimSpace(engineOnly(rest))] = true
				top, _, _ := strings.Cut(e.Test, "/")
				onDocker[e.Package+"."+top] = true
			}
		case e.Test != "" && (e.Action == "pass" || e.Action == "skip"):
			delete(pending, key{e.Package, e.Test})
		case e.Test != "" && e.Action == "fail":
			failed = true
			for _, o := range pending[key{e.Package, e.Test}] {
				fmt.Fprint(w, o)
			}
			delete(pending, key{e.Package, e.Test})
		case e.Test == "" && e.Action == "output":
			out := e.Output
			if out == "PASS\n" {
				continue
			}
			if strings.HasPrefix(out, "ok ") || strings.HasPrefix(out, "FAIL\t") {
				results++
				if names := sorted(engines[e.Package]); len(names) > 0 {
					out = strings.TrimRight(out, "\n") + "\tDocker engine " + strings.Join(names, ", ") + "\n"
				}
			}
			fmt.Fprint(w, out)
		case e.Test == "" && e.Action == "fail":
			failed = true
		}
	}
	// Tests still running when the input ended (a test binary that crashed
	// or timed out): their output says where.
	unfinished := make([]key, 0, len(pending))
	for k := range pending {
		unfinished = append(unfinished, k)
	}
	sort.Slice(unfinished, func(i, j int) bool {
		a, b := unfinished[i], unfinished[j]
		return a.pkg < b.pkg || a.pkg == b.pkg && a.test < b.test
	})
	for _, k := range unfinished {
		if out := pending[k]; len(out) > 0 {
			failed = true
			fmt.Fprintf(w, "--- output of %s in %s, which did not finish:\n%s", k.test, k.pkg, strings.Join(out, ""))
		}
	}
	for p := range engines {
		res.docker = append(res.docker, p)
	}
	sort.Strings(res.docker)
	res.dockerTests = sorted(onDocker)
	res.failed = failed
	if err := sc.Err(); err != nil {
		return result{failed: true}, err
	}
	if results == 0 {
		return result{failed: true}, fmt.Errorf("no package result in the input (did go test run?)")
	}
	return res, nil
}

// engineOnly keeps "29.8.1 (API 1.56, minimum 1.40)" of the rest of a marker
// line, dropping the address: one engine, one name.
func engineOnly(rest string) string {
	if i := strings.Index(rest, " at "); i >= 0 {
		return rest[:i]
	}
	return rest
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
