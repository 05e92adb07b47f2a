package mlflow

import (
	"errors"
	"testing"
)

func TestLinkFilter(t *testing.T) {
	cases := []struct{ dag, run, task, want string }{
		{"d", "manual__2026-11-26T12:00:00+00:00", "", "tags.`airflow.dag_id` = 'd' and tags.`airflow.run_id` = 'manual__2026-11-26T12:00:00+00:00'"},
		{"d", "r", "pipeline.train", "tags.`airflow.dag_id` = 'd' and tags.`airflow.run_id` = 'r' and tags.`airflow.task_id` = 'pipeline.train'"},
		{"d", "it's", "", "tags.`airflow.dag_id` = 'd' and tags.`airflow.run_id` = \"it's\""},
	}
	for _, c := range cases {
		got, err := LinkFilter(c.dag, c.run, c.task)
		if err != nil || got != c.want {
			t.Errorf("LinkFilter(%q, %q, %q) = %q, %v; want %q", c.dag, c.run, c.task, got, err, c.want)
		}
	}
	if _, err := LinkFilter("d", `both ' and "`, ""); err == nil {
		t.Error("a value with both quotes was accepted")
	}
}

func TestAPIErrorKinds(t *testing.T) {
	nf := newAPIError("GET", "/api/2.0/mlflow/runs/get", 404, []byte(`{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=x not found"}`))
	if !errors.Is(nf, ErrNotFound) || nf.Error() != "GET /api/2.0/mlflow/runs/get: 404 Not Found: RESOURCE_DOES_NOT_EXIST: Run with id=x not found" {
		t.Errorf("404: %v", nf)
	}
	denied := newAPIError("POST", "/x", 401, []byte("<html>\n<h1>401 Unauthorized</h1>"))
	if !errors.Is(denied, ErrDenied) || denied.Message != "<html>" {
		t.Errorf("401: %+v", denied)
	}
}

func TestRunURL(t *testing.T) {
	if got := RunURL("http://127.0.0.1:5000/", "3", "abc"); got != "http://127.0.0.1:5000/#/experiments/3/runs/abc" {
		t.Errorf("RunURL = %q", got)
	}
}
