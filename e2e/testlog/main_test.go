package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestFilterRealGoTestOutput runs real `go test -json` on a throwaway module
// — a package whose tests pass and log an engine line, one with a failing
// test — and checks what the filter keeps.
func TestFilterRealGoTestOutput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module x\n\ngo 1.22\n")
	write("good/good_test.go", `package good
import "testing"
func TestOne(t *testing.T) { t.Log("ran on Docker engine 29.8.1 (API 1.56, minimum 1.40) at unix:///a.sock"); t.Log("chatter one") }
func TestTwo(t *testing.T) { t.Log("ran on Docker engine 29.8.1 (API 1.56, minimum 1.40) at unix:///b.sock") }
func TestSkip(t *testing.T) { t.Skip("not here") }
`)
	write("bad/bad_test.go", `package bad
import "testing"
func TestFine(t *testing.T) { t.Log("chatter fine") }
func TestBroken(t *testing.T) { t.Log("ran on Docker engine 20.10.24 (API 1.41, minimum 1.12) at unix:///c.sock"); t.Error("the broken thing") }
`)
	cmd := exec.Command("go", "test", "-count=1", "-json", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	in, err := cmd.Output()
	if err == nil {
		t.Fatal("go test passed a module with a failing test")
	}
	var out bytes.Buffer
	res, err := filter(bytes.NewReader(in), &out)
	if err != nil {
		t.Fatal(err)
	}
	if !res.failed {
		t.Error("filter did not report the failure")
	}
	if want := []string{"x/bad", "x/good"}; !slices.Equal(res.docker, want) {
		t.Errorf("packages on Docker = %v, want %v", res.docker, want)
	}
	if got := unlisted(res.docker, "x", []string{"./good", "./other"}); !slices.Equal(got, []string{"x/bad"}) {
		t.Errorf("unlisted = %v, want [x/bad]", got)
	}
	if got := unlisted(res.docker, "x", []string{"./bad/", "good"}); len(got) != 0 {
		t.Errorf("unlisted = %v, want none", got)
	}
	if want := []string{"x/bad.TestBroken", "x/good.TestOne", "x/good.TestTwo"}; !slices.Equal(res.dockerTests, want) {
		t.Errorf("tests on Docker = %v, want %v", res.dockerTests, want)
	}
	if got := unmatched(res.dockerTests, regexp.MustCompile(`^TestOne$|^TestBroken$`)); !slices.Equal(got, []string{"x/good.TestTwo"}) {
		t.Errorf("unmatched = %v, want [x/good.TestTwo]", got)
	}
	log := out.String()
	for _, re := range []string{
		`(?m)^ok  \tx/good\t[0-9.]+s\tDocker engine 29\.8\.1 \(API 1\.56, minimum 1\.40\)$`,
		`(?m)^FAIL\tx/bad\t[0-9.]+s\tDocker engine 20\.10\.24 \(API 1\.41, minimum 1\.12\)$`,
		`the broken thing`,
		`--- FAIL: TestBroken`,
	} {
		if !regexp.MustCompile(re).MatchString(log) {
			t.Errorf("the log lacks %s:\n%s", re, log)
		}
	}
	for _, not := range []string{"chatter", "not here", "=== RUN", "PASS\n"} {
		if strings.Contains(log, not) {
			t.Errorf("the log keeps %q from passing tests:\n%s", not, log)
		}
	}
}

func TestFilterWithoutResultsFails(t *testing.T) {
	res, err := filter(strings.NewReader(""), &bytes.Buffer{})
	if err == nil || !res.failed {
		t.Errorf("empty input: failed=%v err=%v, want a failure", res.failed, err)
	}
}

// A test binary that dies mid-test (a timeout's panic) leaves tests without
// an end: their output is shown, and it is a failure.
func TestFilterShowsUnfinishedTests(t *testing.T) {
	var out bytes.Buffer
	in := `{"Action":"run","Package":"p","Test":"TestHang"}
{"Action":"output","Package":"p","Test":"TestHang","Output":"    hang_test.go:9: waiting for the engine\n"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.1s\n"}
`
	res, err := filter(strings.NewReader(in), &out)
	if err != nil || !res.failed {
		t.Fatalf("failed=%v err=%v, want a failure", res.failed, err)
	}
	if !strings.Contains(out.String(), "TestHang in p, which did not finish:\n    hang_test.go:9: waiting for the engine") {
		t.Errorf("out = %q", out.String())
	}
}

func TestModulePath(t *testing.T) {
	gomod := filepath.Join(t.TempDir(), "go.mod")
	if err := os.WriteFile(gomod, []byte("// c\nmodule github.com/gaiaflow/gaiaflow\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := modulePath(gomod); err != nil || m != "github.com/gaiaflow/gaiaflow" {
		t.Errorf("modulePath = %q, %v", m, err)
	}
	if _, err := modulePath(filepath.Join(t.TempDir(), "go.mod")); err == nil {
		t.Error("no error for a missing go.mod")
	}
}

func TestFilterPassesPlainTextOn(t *testing.T) {
	var out bytes.Buffer
	in := "no Go files in /x\n" + `{"Action":"output","Package":"p","Output":"ok  \tp\t0.1s\n"}` + "\n" + `{"Action":"pass","Package":"p"}` + "\n"
	res, err := filter(strings.NewReader(in), &out)
	if err != nil || res.failed {
		t.Fatalf("failed=%v err=%v", res.failed, err)
	}
	if out.String() != "no Go files in /x\nok  \tp\t0.1s\n" {
		t.Errorf("out = %q", out.String())
	}
}
