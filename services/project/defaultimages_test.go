package project

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/images.md from DefaultImages")

// docs/images.md is DefaultImages as a document; it is written by
// `go test ./services/project -update` and never by hand.
func TestDocsImagesIsCurrent(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# Default images\n\n")
	b.WriteString("<!-- Written by `go test ./services/project -update` from services/project/defaultimages.go; do not edit. -->\n\n")
	b.WriteString("Every image the stack runs unless `gaiaflow.toml` names another, where its\n" +
		"publication was seen, what the stack relies on inside it, and how the image kit\n" +
		"(`e2e/images`, which the tests run because no registry is reachable there)\n" +
		"reproduces each of those. The Airflow image and the task images' base follow the\n" +
		"project's `python`; the table shows Python 3.12, the default. `gaiaflow doctor`\n" +
		"checks that each configured image is on the engine or in its registry.\n\n" +
		"To bump a default: change its version in `services/project/defaultimages.go`;\n" +
		"`go test ./e2e/kit` then names the kit file that must follow, and `make e2e`\n" +
		"checks every reliance below on the kit's images.\n")
	for _, d := range DefaultImages("3.12") {
		fmt.Fprintf(&b, "\n## `%s`\n\n", d.Key)
		fmt.Fprintf(&b, "- image: `%s` — %s\n", d.Ref, d.Program)
		fmt.Fprintf(&b, "- seen: %s\n", d.Seen)
		if len(d.Relies) == 0 {
			continue
		}
		b.WriteString("\n| relied on | how the kit reproduces it | checked by |\n|---|---|---|\n")
		for _, r := range d.Relies {
			check := "a running container (e2e/kitreliance_test.go)"
			if len(r.Cmd) > 0 {
				check = "`" + strings.Join(r.Cmd, " ") + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(r.What), cell(r.Kit), cell(check))
		}
	}
	path := filepath.Join("..", "..", "docs", "images.md")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("docs/images.md is out of date: run go test ./services/project -update")
	}
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// The Airflow image and the task images' base follow the project's Python.
func TestDefaultImagesFollowPython(t *testing.T) {
	c := &Config{Name: "x", Package: "x", Python: "3.11"}
	c.ApplyDefaults()
	if c.Services.Airflow.Image != "apache/airflow:"+AirflowVersion+"-python3.11" || c.Build.BaseImage != "python:3.11-slim" {
		t.Errorf("python 3.11: airflow %s, base %s", c.Services.Airflow.Image, c.Build.BaseImage)
	}
	c = Default("x", "x")
	if c.Python != "3.12" || c.Services.Airflow.Image != "apache/airflow:"+AirflowVersion+"-python3.12" || c.Build.BaseImage != "python:3.12-slim" {
		t.Errorf("default: python %s, airflow %s, base %s", c.Python, c.Services.Airflow.Image, c.Build.BaseImage)
	}
	// An image the user set stays, whatever the Python.
	c = &Config{Name: "x", Package: "x", Python: "3.13"}
	c.Services.Airflow.Image = "corp/airflow:1"
	c.ApplyDefaults()
	if c.Services.Airflow.Image != "corp/airflow:1" {
		t.Errorf("a set image was replaced: %s", c.Services.Airflow.Image)
	}
}
