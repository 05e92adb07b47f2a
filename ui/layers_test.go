package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The faces only parse, ask and print: no package under ui/ imports the
// edge packages that only the application layer (services/core) composes.
func TestUIImportsNoEdgePackage(t *testing.T) {
	forbidden := []string{"services/docker", "services/build", "services/minikube", "services/minikube/kube"}
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if p == "github.com/gaiaflow/gaiaflow/"+bad {
					t.Errorf("%s imports %s: call services/core instead", path, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d files looked at", files)
	}
}

// The CLI's App hands commands their dependencies and prints; what it used
// to compose lives in services/core.
func TestAppStaysSmall(t *testing.T) {
	matches, err := filepath.Glob(filepath.Join("cli", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, path := range matches {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
				continue
			}
			if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "App" {
					methods = append(methods, fn.Name.Name)
				}
			}
		}
	}
	if len(methods) > 15 || len(methods) < 5 {
		t.Errorf("App has %d methods (%v); at most 15", len(methods), methods)
	}
}

// The release binary does not link the dashboard's fake backend (a test
// and development aid, built in with -tags fakebackend only).
func TestReleaseBinaryHasNoFakeBackend(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/gaiaflow/gaiaflow").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := string(out)
	if !strings.Contains(deps, "github.com/gaiaflow/gaiaflow/ui/tui/adapter") {
		t.Fatalf("go list -deps lacks the adapter:\n%s", deps)
	}
	if strings.Contains(deps, "github.com/gaiaflow/gaiaflow/ui/tui/fake") {
		t.Error("the release binary links ui/tui/fake")
	}
	tagged, err := exec.Command("go", "list", "-tags", "fakebackend", "-deps", "github.com/gaiaflow/gaiaflow").CombinedOutput()
	if err != nil || !strings.Contains(string(tagged), "github.com/gaiaflow/gaiaflow/ui/tui/fake") {
		t.Errorf("with -tags fakebackend the fake is not linked: %v", err)
	}
}
