package mlflow

import (
	"fmt"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// ForProject returns a client for the MLflow of a project's local stack:
// the tracking server published on 127.0.0.1 at services.mlflow.port. The
// stack runs it without authentication, so no credentials are sent.
func ForProject(p *project.Project) (*Client, error) {
	return New(Config{BaseURL: fmt.Sprintf("http://127.0.0.1:%d", p.Config.Services.MLflow.Port)})
}
