package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// checkNoSecretInInspect reads `docker inspect` of every container of the
// project, as a person would, and fails if any value of credentials.json is
// in it (the values are never printed).
func (h *harness) checkNoSecretInInspect(credsFile string) {
	h.t.Helper()
	data, err := os.ReadFile(credsFile)
	if err != nil {
		h.t.Fatal(err)
	}
	var values map[string]string
	if err := json.Unmarshal(data, &values); err != nil {
		h.t.Fatal(err)
	}
	ids := strings.Fields(docker(h.t, "ps", "-a", "-q", "--filter", "label=io.gaiaflow.project="+h.id))
	if len(ids) == 0 {
		h.t.Fatal("no container of the project to inspect")
	}
	out := docker(h.t, append([]string{"inspect"}, ids...)...)
	for field, v := range values {
		if field != "airflow_admin_user" && strings.Contains(out, v) {
			h.t.Errorf("docker inspect of the project's containers shows %s", field)
		}
	}
	h.t.Logf("docker inspect of %d containers shows none of credentials.json's %d values", len(ids), len(values)-1)
}

// checkJupyterToken checks that JupyterLab took its token from the config
// file the stack copied in: the API answers with it and refuses without.
func (h *harness) checkJupyterToken(port int, token string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	get := func(auth string) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/api/contents", port), nil)
		if auth != "" {
			req.Header.Set("Authorization", "token "+auth)
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			h.t.Fatalf("JupyterLab: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(token); code != http.StatusOK {
		h.t.Errorf("JupyterLab refused its token: HTTP %d", code)
	}
	if code := get(""); code != http.StatusForbidden && code != http.StatusUnauthorized {
		h.t.Errorf("JupyterLab answered without a token: HTTP %d", code)
	}
}
