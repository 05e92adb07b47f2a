package airflow

import "testing"

func TestWebURL(t *testing.T) {
	c, err := New(Config{BaseURL: "http://127.0.0.1:8080/"})
	if err != nil {
		t.Fatal(err)
	}
	run := "manual__2026-01-02T03:04:05.123456+00:00"
	for _, tc := range []struct{ dag, run, task, want string }{
		{"ok_dag", "", "", "http://127.0.0.1:8080/dags/ok_dag"},
		{"ok_dag", run, "", "http://127.0.0.1:8080/dags/ok_dag/runs/" + run},
		{"ok_dag", run, "hello", "http://127.0.0.1:8080/dags/ok_dag/runs/" + run + "/tasks/hello"},
		{"a b", "x/y", "", "http://127.0.0.1:8080/dags/a%20b/runs/x%2Fy"},
	} {
		if got := c.WebURL(tc.dag, tc.run, tc.task); got != tc.want {
			t.Errorf("WebURL(%q, %q, %q) = %s, want %s", tc.dag, tc.run, tc.task, got, tc.want)
		}
	}
}
