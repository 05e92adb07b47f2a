package airflowtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// probe asks the api-server whether Airflow is ready, with plain HTTP (see
// the package comment for why not services/airflow's client).
type probe struct {
	base, user, password string
	http                 *http.Client
	token                string
}

func newProbe(base, user, password string) *probe {
	return &probe{base: base, user: user, password: password, http: &http.Client{Timeout: 10 * time.Second}}
}

// healthy reports whether the metadatabase, the scheduler and the dag
// processor are healthy (the triggerer is not started).
func (p *probe) healthy(ctx context.Context) (bool, string) {
	var h map[string]*struct {
		Status *string `json:"status"`
	}
	if err := p.get(ctx, "/api/v2/monitor/health", false, &h); err != nil {
		return false, err.Error()
	}
	var state []string
	ok := true
	for _, name := range []string{"metadatabase", "scheduler", "dag_processor"} {
		status := "missing"
		if c := h[name]; c != nil && c.Status != nil {
			status = *c.Status
		}
		ok = ok && status == "healthy"
		state = append(state, name+" "+status)
	}
	return ok, strings.Join(state, ", ")
}

// parsed reports whether each of files is the file of a DAG or of an import
// error. The dag processor writes all the DAGs of one file in one
// transaction, so one DAG of a file means all of them.
func (p *probe) parsed(ctx context.Context, files []string) (bool, string) {
	seen := map[string]bool{}
	dags, err := p.collect(ctx, "/api/v2/dags", "dags", "relative_fileloc", seen)
	if err != nil {
		return false, err.Error()
	}
	importErrors, err := p.collect(ctx, "/api/v2/importErrors", "import_errors", "filename", seen)
	if err != nil {
		return false, err.Error()
	}
	var missing []string
	for _, f := range files {
		if !seen[f] {
			missing = append(missing, f)
		}
	}
	return len(missing) == 0, fmt.Sprintf("%d DAGs, %d import errors, not yet parsed: %s",
		dags, importErrors, strings.Join(missing, " "))
}

// collect pages through a collection, marking the value of field of every
// item in seen, and returns how many items there were.
func (p *probe) collect(ctx context.Context, path, key, field string, seen map[string]bool) (int, error) {
	n := 0
	for {
		var page map[string]json.RawMessage
		if err := p.get(ctx, fmt.Sprintf("%s?limit=100&offset=%d", path, n), true, &page); err != nil {
			return n, err
		}
		var items []map[string]any
		var total int
		if err := json.Unmarshal(page[key], &items); err != nil {
			return n, fmt.Errorf("GET %s: %q: %w", path, key, err)
		}
		if err := json.Unmarshal(page["total_entries"], &total); err != nil {
			return n, fmt.Errorf("GET %s: total_entries: %w", path, err)
		}
		for _, it := range items {
			if s, ok := it[field].(string); ok {
				seen[s] = true
			}
		}
		n += len(items)
		if len(items) == 0 || n >= total {
			return n, nil
		}
	}
}

// get does a GET and decodes the JSON answer, logging in first when auth.
func (p *probe) get(ctx context.Context, path string, auth bool, out any) error {
	if auth && p.token == "" {
		body, _ := json.Marshal(map[string]string{"username": p.user, "password": p.password})
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := p.do(ctx, http.MethodPost, "/auth/token", body, &tok); err != nil {
			return err
		}
		p.token = tok.AccessToken
	}
	return p.do(ctx, http.MethodGet, path, nil, out)
}

func (p *probe) do(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		if slices.Contains([]int{http.StatusUnauthorized, http.StatusForbidden}, resp.StatusCode) {
			p.token = "" // log in again on the next poll
		}
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}
