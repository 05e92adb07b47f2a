package airflow

import (
	"testing"

	"github.com/gaiaflow/gaiaflow/services/project"
)

func TestForProject(t *testing.T) {
	cfg := project.Default("demo", "demo")
	cfg.Services.Airflow.Port = 18080
	p := &project.Project{Dir: t.TempDir(), Config: cfg}
	c, err := ForProject(p, &project.Credentials{AirflowAdminUser: "admin", AirflowAdminPassword: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "http://127.0.0.1:18080" || c.username != "admin" || c.password != "s3cret" {
		t.Errorf("client = %s as %s", c.BaseURL(), c.username)
	}
}
