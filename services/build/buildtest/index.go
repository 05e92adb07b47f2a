package buildtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// Index is a package index in the shape of PyPI's simple API (PEP 503),
// served to containers on the engine's bridge gateway (see ServeChannel).
// Its files are sent with PyPI's caching headers, so pip may keep them, and
// it counts each file's downloads.
type Index struct {
	URL string // the simple API's root, for pip's index-url

	mu        sync.Mutex
	files     map[string][]byte            // by file name
	projects  map[string]map[string]string // normalized project -> file name -> sha256
	downloads map[string]int
}

// ServeIndex serves wheels (file name to contents) until the test ends.
func ServeIndex(t testing.TB, c *docker.Client, wheels map[string][]byte) *Index {
	t.Helper()
	ix := &Index{files: map[string][]byte{}, projects: map[string]map[string]string{}, downloads: map[string]int{}}
	for name, data := range wheels {
		project := normalize(strings.SplitN(name, "-", 2)[0])
		if ix.projects[project] == nil {
			ix.projects[project] = map[string]string{}
		}
		sum := sha256.Sum256(data)
		ix.projects[project][name] = hex.EncodeToString(sum[:])
		ix.files[name] = data
	}
	ix.URL = serveOnBridge(t, c, http.HandlerFunc(ix.serve)) + "simple/"
	return ix
}

// Downloads is how many times file was fetched.
func (ix *Index) Downloads(file string) int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.downloads[file]
}

func (ix *Index) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/simple/"):
		files, ok := ix.projects[normalize(strings.Trim(strings.TrimPrefix(r.URL.Path, "/simple/"), "/"))]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Cache-Control", "max-age=0")
		fmt.Fprintln(w, "<!DOCTYPE html><html><body>")
		for name, sum := range files {
			fmt.Fprintf(w, "<a href=\"/files/%s#sha256=%s\">%s</a>\n", name, sum, name)
		}
		fmt.Fprintln(w, "</body></html>")
	case strings.HasPrefix(r.URL.Path, "/files/"):
		name := strings.TrimPrefix(r.URL.Path, "/files/")
		data, ok := ix.files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		ix.mu.Lock()
		ix.downloads[name]++
		ix.mu.Unlock()
		// PyPI's headers for files, which never change under a name.
		w.Header().Set("Cache-Control", "max-age=365000000, immutable, public")
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(data)
	default:
		http.NotFound(w, r)
	}
}

// normalize is a project name as PEP 503 compares it.
func normalize(name string) string {
	return strings.ToLower(regexp.MustCompile(`[-_.]+`).ReplaceAllString(name, "-"))
}
