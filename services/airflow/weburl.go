package airflow

import "net/url"

// WebURL returns the address of a page of Airflow's web UI, which the
// api-server serves at the same root as the API: a DAG's page (runID and
// taskID empty), one of its runs (taskID empty), or one task of a run, whose
// page shows the task's log. These are the routes of Airflow 3's UI.
func (c *Client) WebURL(dagID, runID, taskID string) string {
	u := c.base + "/dags/" + url.PathEscape(dagID)
	if runID == "" {
		return u
	}
	u += "/runs/" + url.PathEscape(runID)
	if taskID == "" {
		return u
	}
	return u + "/tasks/" + url.PathEscape(taskID)
}
