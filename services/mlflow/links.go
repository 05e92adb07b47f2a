package mlflow

import (
	"fmt"
	"net/url"
	"strings"
)

// The tags that tie an MLflow run to the Airflow task instance that logged
// it. The example pipeline sets them (scaffold/template), and the README
// asks users' own tasks to do the same; the dashboard and `gaiaflow mlflow
// runs --dag` find a DAG run's MLflow runs by them.
const (
	TagDAGID     = "airflow.dag_id"
	TagRunID     = "airflow.run_id"
	TagTaskID    = "airflow.task_id"
	TagTryNumber = "airflow.try_number"
)

// LinkFilter is the search filter for the runs logged by a DAG run (and,
// when taskID is set, by one of its tasks). Values are quoted; one holding
// both kinds of quote cannot be searched for and is an error.
func LinkFilter(dagID, runID, taskID string) (string, error) {
	var parts []string
	for _, kv := range [][2]string{{TagDAGID, dagID}, {TagRunID, runID}, {TagTaskID, taskID}} {
		if kv[1] == "" {
			continue
		}
		q, err := quote(kv[1])
		if err != nil {
			return "", err
		}
		parts = append(parts, "tags.`"+kv[0]+"` = "+q)
	}
	return strings.Join(parts, " and "), nil
}

func quote(v string) (string, error) {
	switch {
	case !strings.Contains(v, "'"):
		return "'" + v + "'", nil
	case !strings.Contains(v, `"`):
		return `"` + v + `"`, nil
	}
	return "", fmt.Errorf("%q holds both kinds of quote: MLflow's search cannot match it", v)
}

// RunURL is a run's page in MLflow's web UI.
func RunURL(base, experimentID, runID string) string {
	return strings.TrimRight(base, "/") + "/#/experiments/" + url.PathEscape(experimentID) + "/runs/" + url.PathEscape(runID)
}

// ExperimentURL is an experiment's page in MLflow's web UI.
func ExperimentURL(base, experimentID string) string {
	return strings.TrimRight(base, "/") + "/#/experiments/" + url.PathEscape(experimentID)
}
