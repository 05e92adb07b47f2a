package build

import (
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func TestCheckImageName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"demo:0.1.0", "demo:0.1.0", true},
		{"docker.io/library/demo:1", "demo:1", true},
		{"registry.example:5000/team/demo:2026.1", "registry.example:5000/team/demo:2026.1", true},
		{"demo", "", false},        // no tag means latest
		{"demo:latest", "", false}, // never latest
		{"Demo:1", "", false},      // upper case
		{"demo@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "", false},
		{"demo:1 2", "", false},
	} {
		got, err := CheckImageName(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("CheckImageName(%q) = %q, %v", tc.in, got, err)
		}
		if err != nil && errs.KindOf(err) != errs.Usage {
			t.Errorf("CheckImageName(%q): kind %v, want usage", tc.in, errs.KindOf(err))
		}
	}
}

func TestImageNameDefault(t *testing.T) {
	pyproject := func(version string) map[string]string {
		return map[string]string{"pyproject.toml": "[project]\nname = \"x\"\n" + version}
	}
	for _, tc := range []struct {
		name    string
		flag    string
		config  string
		pkg     string
		files   map[string]string
		want    string
		wantErr string
	}{
		{name: "package and version", pkg: "my_pkg", files: pyproject(`version = "0.1.0"`), want: "my_pkg:0.1.0"},
		{name: "local version", pkg: "demo", files: pyproject(`version = "1.0+local.2"`), want: "demo:1.0-local.2"},
		{name: "leading underscore", pkg: "_demo", files: pyproject(`version = "1"`), want: "demo:1"},
		{name: "flag wins", flag: "x:1", config: "y:2", pkg: "demo", want: "x:1"},
		{name: "config next", config: "y:2", pkg: "demo", want: "y:2"},
		{name: "config latest", config: "y:latest", pkg: "demo", wantErr: "latest"},
		{name: "dynamic version", pkg: "demo", files: pyproject("dynamic = [\"version\"]"), wantErr: "no static [project] version"},
		{name: "no pyproject", pkg: "demo", wantErr: "no pyproject.toml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			got, err := ImageName(tc.flag, tc.config, tc.pkg, dir)
			if tc.wantErr != "" {
				if err == nil || !contains(err.Error(), tc.wantErr) || errs.KindOf(err) != errs.Usage {
					t.Fatalf("err = %v, want usage error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ImageName = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestCheckBaseImage(t *testing.T) {
	for ref, ok := range map[string]bool{
		"python:3.12-slim": true,
		"python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": true,
		"gaiaflow-test/python-base:db962cd11b3e":                                         true,
		"python:3.12\nRUN rm -rf /":                                                      false,
		"":                                                                               false,
	} {
		if err := checkBaseImage(ref, "build.base_image"); (err == nil) != ok {
			t.Errorf("checkBaseImage(%q) = %v", ref, err)
		}
	}
}
