package build

import (
	"bytes"
	"embed"
	"fmt"
	"sync"
	"text/template"
)

//go:embed templates
var templates embed.FS

// Parsed on first use: at start-up they would slow every command, --help included.
var (
	taskTemplate = sync.OnceValue(func() *template.Template {
		return template.Must(template.ParseFS(templates, "templates/task.Dockerfile"))
	})
	airflowTemplate = sync.OnceValue(func() *template.Template {
		return template.Must(template.ParseFS(templates, "templates/airflow.Dockerfile"))
	})
	airflowDepsTemplate = sync.OnceValue(func() *template.Template {
		return template.Must(template.ParseFS(templates, "templates/airflow-deps.Dockerfile"))
	})
)

// entrypointScript is the task image's entry point.
func entrypointScript() []byte { return templateFile("entrypoint.sh") }

// templateFile is a file of templates/ as it is.
func templateFile(name string) []byte {
	data, err := templates.ReadFile("templates/" + name)
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return data
}

// taskDockerfile is what the task image's template needs.
type taskDockerfile struct {
	Project, GaiaflowVersion string
	BaseImage                string
	Wheel                    string // file name of the gaiaflow wheel in .gaiaflow/
	Constraints              bool   // .gaiaflow/constraints.txt exists
	DynamicDependencies      bool   // pyproject.toml computes its dependencies
	Conda                    bool   // .gaiaflow/conda.json: conda packages from channels
	RattlerVersion           string
}

// airflowDockerfile is what the Airflow runtime image's template and its
// dependency image's template need. The second must not name the project:
// projects with the same dependencies share it.
type airflowDockerfile struct {
	Project, GaiaflowVersion string
	AirflowImage             string
	DepsImage                string // the dependency image the runtime image starts from
	User                     string // the Airflow image's user, restored for pip
	TaskVenv                 string
	ProjectDir               string // where the stack mounts the project
	SourceRoot               string // the directory holding the package, inside ProjectDir
	Wheel                    string
	Requirements             bool
	Constraints              bool
	Conda                    bool
	RattlerVersion           string
}

func render(t *template.Template, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("write the Dockerfile: %w", err)
	}
	return b.Bytes(), nil
}
