package airflow

import (
	"fmt"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// ForProject returns a client for the Airflow of a project's local stack:
// the api-server published on 127.0.0.1 at services.airflow.port, logged in
// as the admin whose credentials were generated for the project. The stack
// runs Airflow with exactly these, so this is the one place that says how
// the CLI and the dashboard reach it.
func ForProject(p *project.Project, creds *project.Credentials) (*Client, error) {
	return New(Config{
		BaseURL:  fmt.Sprintf("http://127.0.0.1:%d", p.Config.Services.Airflow.Port),
		Username: creds.AirflowAdminUser,
		Password: creds.AirflowAdminPassword,
	})
}
