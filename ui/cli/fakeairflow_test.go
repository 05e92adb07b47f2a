package cli

import (
	"fmt"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/airflow/airflowfake"
)

const fakeRunID = airflowfake.RunID

// fakeProject writes a project whose Airflow is the fake.
func fakeProject(t *testing.T, f *airflowfake.Fake) string {
	t.Helper()
	return newProjectDir(t, projectToml(f.Port()))
}

func projectToml(airflowPort int) string {
	return fmt.Sprintf("%s\n[services.airflow]\nport = %d\n", goodToml, airflowPort)
}
