package pylib

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// canonicalVersion matches the PEP 440 versions that need no normalisation to appear in a
// wheel's file name: N(.N)*[{a|b|rc}N][.postN][.devN].
// Compiled on first use: at start-up it would slow every command, --help included.
var canonicalVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$`) })

// A fixed timestamp keeps the wheel byte-for-byte reproducible, so builders can hash it to
// decide whether an image needs rebuilding. 1980-01-01 is the earliest date zip can store.
var wheelTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// WheelFilename is the file name WriteWheel's wheel must be saved under for pip to accept it.
func WheelFilename() string {
	return fmt.Sprintf("%s-%s-py3-none-any.whl", PackageName, Version())
}

// WriteWheel writes the embedded package as a pure-Python wheel (py3-none-any) to w and
// returns the file name it must be saved under (pip reads the version and tags from it).
// The same binary always writes the same bytes.
func WriteWheel(w io.Writer) (filename string, err error) {
	version := Version()
	if !canonicalVersion().MatchString(version) {
		return "", fmt.Errorf("pylib: version %q is not a canonical PEP 440 version", version)
	}
	meta, err := parsePyproject(pyprojectTOML)
	if err != nil {
		return "", fmt.Errorf("pylib: %w", err)
	}
	if meta.Name != PackageName {
		return "", fmt.Errorf("pylib: pyproject.toml names %q, not %q", meta.Name, PackageName)
	}

	files, err := packageFiles()
	if err != nil {
		return "", err
	}
	distInfo := fmt.Sprintf("%s-%s.dist-info", PackageName, version)
	files = append(files,
		wheelFile{distInfo + "/METADATA", metadata(meta, version)},
		wheelFile{distInfo + "/WHEEL", []byte(
			"Wheel-Version: 1.0\nGenerator: gaiaflow (Go)\nRoot-Is-Purelib: true\nTag: py3-none-any\n")},
	)

	var record bytes.Buffer
	zw := zip.NewWriter(w)
	for _, f := range files {
		if err := addToZip(zw, f); err != nil {
			return "", err
		}
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n",
			f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.data))
	}
	recordName := distInfo + "/RECORD"
	fmt.Fprintf(&record, "%s,,\n", recordName)
	if err := addToZip(zw, wheelFile{recordName, record.Bytes()}); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("pylib: write wheel: %w", err)
	}
	return WheelFilename(), nil
}

type wheelFile struct {
	name string
	data []byte
}

// packageFiles returns the package's files from FS, sorted by path.
func packageFiles() ([]wheelFile, error) {
	fsys := FS()
	var files []wheelFile
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		files = append(files, wheelFile{name, data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pylib: read embedded package: %w", err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}

func addToZip(zw *zip.Writer, f wheelFile) error {
	header := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: wheelTime}
	header.SetMode(0o644)
	out, err := zw.CreateHeader(header)
	if err != nil {
		return fmt.Errorf("pylib: write wheel entry %s: %w", f.name, err)
	}
	if _, err := out.Write(f.data); err != nil {
		return fmt.Errorf("pylib: write wheel entry %s: %w", f.name, err)
	}
	return nil
}

// metadata renders the core metadata (version 2.1) from pyproject.toml's [project] table.
func metadata(meta projectMetadata, version string) []byte {
	var b strings.Builder
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", name, value)
		}
	}
	field("Metadata-Version", "2.1")
	field("Name", meta.Name)
	field("Version", version)
	field("Summary", meta.Description)
	field("License", meta.License)
	field("Requires-Python", meta.RequiresPython)
	for _, c := range meta.Classifiers {
		field("Classifier", c)
	}
	for _, req := range meta.Dependencies {
		field("Requires-Dist", req)
	}
	for _, e := range meta.Extras {
		field("Provides-Extra", e.Name)
		for _, req := range e.Requirements {
			field("Requires-Dist", withExtraMarker(req, e.Name))
		}
	}
	return []byte(b.String())
}

// withExtraMarker makes a requirement apply only when the extra is requested, keeping any
// marker it already has.
func withExtraMarker(req, extraName string) string {
	spec, marker, found := strings.Cut(req, ";")
	spec = strings.TrimSpace(spec)
	if !found || strings.TrimSpace(marker) == "" {
		return fmt.Sprintf("%s; extra == %q", spec, extraName)
	}
	return fmt.Sprintf("%s; (%s) and extra == %q", spec, strings.TrimSpace(marker), extraName)
}
