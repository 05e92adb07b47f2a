package pylib

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestVersionMatchesInitPy(t *testing.T) {
	data, err := os.ReadFile("src/gaiaflow/__init__.py")
	if err != nil {
		t.Fatal(err)
	}
	want := `__version__ = "` + Version() + `"`
	if !strings.Contains(string(data), want) {
		t.Fatalf("__init__.py has no %s", want)
	}
	if !canonicalVersion().MatchString(Version()) {
		t.Fatalf("version %q is not canonical PEP 440", Version())
	}
}

func TestFSHoldsThePackage(t *testing.T) {
	for _, name := range []string{
		"gaiaflow/__init__.py",
		"gaiaflow/py.typed",
		"gaiaflow/runner.py",
		"gaiaflow/call.py",
		"gaiaflow/core/create_task.py",
		"gaiaflow/core/operators.py",
	} {
		if _, err := fs.Stat(FS(), name); err != nil {
			t.Errorf("FS lacks %s: %v", name, err)
		}
	}
	err := fs.WalkDir(FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if excluded(name) {
			t.Errorf("FS lists %s", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The embedded tree comes from the build's working tree, which may hold bytecode caches:
// check the filter on a tree that has them.
func TestPackageFSHidesCachesAndHiddenFiles(t *testing.T) {
	fsys := packageFS{fstest.MapFS{
		"gaiaflow/__init__.py":                          {Data: []byte("x")},
		"gaiaflow/__pycache__/__init__.cpython-311.pyc": {Data: []byte("x")},
		"gaiaflow/core/stale.pyc":                       {Data: []byte("x")},
		"gaiaflow/.DS_Store":                            {Data: []byte("x")},
		"gaiaflow/core/create_task.py":                  {Data: []byte("x")},
	}}
	var seen []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			seen = append(seen, name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"gaiaflow/__init__.py", "gaiaflow/core/create_task.py"}
	if !slices.Equal(seen, want) {
		t.Errorf("walk saw %q, want %q", seen, want)
	}
	if _, err := fsys.Open("gaiaflow/__pycache__/__init__.cpython-311.pyc"); err == nil {
		t.Error("a cached .pyc can be opened")
	}
	// ReadDir in batches hands out every visible entry once, then io.EOF.
	dir, err := fsys.Open("gaiaflow")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for {
		batch, err := dir.(fs.ReadDirFile).ReadDir(1)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range batch {
			names = append(names, e.Name())
		}
	}
	if !slices.Equal(names, []string{"__init__.py", "core"}) {
		t.Errorf("ReadDir(1) batches gave %q", names)
	}
}

func readWheel(t *testing.T) (string, []byte, *zip.Reader) {
	t.Helper()
	var buf bytes.Buffer
	name, err := WriteWheel(&buf)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return name, buf.Bytes(), zr
}

func TestWheelRecordMatchesItsFiles(t *testing.T) {
	name, _, zr := readWheel(t)
	if name != "gaiaflow-"+Version()+"-py3-none-any.whl" || name != WheelFilename() {
		t.Fatalf("file name %q", name)
	}
	contents := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		contents[f.Name] = data
	}
	distInfo := "gaiaflow-" + Version() + ".dist-info/"
	rows, err := csv.NewReader(bytes.NewReader(contents[distInfo+"RECORD"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(contents) {
		t.Fatalf("RECORD has %d rows for %d files", len(rows), len(contents))
	}
	for _, row := range rows {
		path, hash, size := row[0], row[1], row[2]
		data, ok := contents[path]
		if !ok {
			t.Errorf("RECORD lists %s, which the wheel lacks", path)
			continue
		}
		if path == distInfo+"RECORD" {
			if hash != "" || size != "" {
				t.Errorf("RECORD's own row is %q", row)
			}
			continue
		}
		sum := sha256.Sum256(data)
		if want := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]); hash != want {
			t.Errorf("%s: hash %s, want %s", path, hash, want)
		}
		if size != strconv.Itoa(len(data)) {
			t.Errorf("%s: size %s, want %d", path, size, len(data))
		}
	}
	for _, want := range []string{"gaiaflow/__init__.py", "gaiaflow/py.typed", "gaiaflow/runner.py"} {
		if _, ok := contents[want]; !ok {
			t.Errorf("wheel lacks %s", want)
		}
	}
	wheelMeta := string(contents[distInfo+"WHEEL"])
	for _, line := range []string{"Wheel-Version: 1.0", "Root-Is-Purelib: true", "Tag: py3-none-any"} {
		if !strings.Contains(wheelMeta, line+"\n") {
			t.Errorf("WHEEL lacks %q:\n%s", line, wheelMeta)
		}
	}
	metadata := string(contents[distInfo+"METADATA"])
	for _, pattern := range []string{
		`(?m)^Metadata-Version: 2\.1$`,
		`(?m)^Name: gaiaflow$`,
		`(?m)^Version: ` + regexp.QuoteMeta(Version()) + `$`,
		`(?m)^Requires-Python: >=3\.10$`,
		`(?m)^Provides-Extra: airflow$`,
		`(?m)^Requires-Dist: apache-airflow>=3\.0,<4; extra == "airflow"$`,
	} {
		if !regexp.MustCompile(pattern).MatchString(metadata) {
			t.Errorf("METADATA does not match %s:\n%s", pattern, metadata)
		}
	}
}

func TestWheelIsReproducible(t *testing.T) {
	_, first, _ := readWheel(t)
	_, second, _ := readWheel(t)
	if !bytes.Equal(first, second) {
		t.Fatal("two wheels from the same binary differ")
	}
}

func TestParsePyproject(t *testing.T) {
	meta, err := parsePyproject([]byte(`
[build-system]
requires = ["hatchling"]  # a comment

[project]
name = "demo"
description = 'literal # not a comment'
requires-python = ">=3.10"
dependencies = [
    "a>=1",  # first
    "b; python_version < \"3.11\"",
]

[project.optional-dependencies]
one = ["c"]
two = []

[tool.x]
name = "not the project"
`))
	if err != nil {
		t.Fatal(err)
	}
	if meta.Name != "demo" || meta.Description != "literal # not a comment" ||
		meta.RequiresPython != ">=3.10" {
		t.Errorf("parsed %+v", meta)
	}
	if !slices.Equal(meta.Dependencies, []string{"a>=1", `b; python_version < "3.11"`}) {
		t.Errorf("dependencies %q", meta.Dependencies)
	}
	if len(meta.Extras) != 2 || meta.Extras[0].Name != "one" || meta.Extras[1].Name != "two" ||
		!slices.Equal(meta.Extras[0].Requirements, []string{"c"}) ||
		len(meta.Extras[1].Requirements) != 0 {
		t.Errorf("extras %+v", meta.Extras)
	}
	if got := withExtraMarker(meta.Dependencies[1], "one"); got !=
		`b; (python_version < "3.11") and extra == "one"` {
		t.Errorf("withExtraMarker = %q", got)
	}
}

func TestParsePyprojectErrors(t *testing.T) {
	for _, tc := range []struct{ name, input, want string }{
		{"no name", "[project]\ndescription = \"x\"\n", "has no name"},
		{"unterminated array", "[project]\nname = \"x\"\ndependencies = [\n\"a\",\n", "unterminated"},
		{"not an array", "[project]\nname = \"x\"\ndependencies = \"a\"\n", "array of strings"},
		{"multi-line string", "[project]\nname = \"\"\"x\"\"\"\n", "multi-line"},
		{"missing comma", "[project]\nname = \"x\"\ndependencies = [\"a\" \"b\"]\n", "expected ','"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parsePyproject([]byte(tc.input))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
