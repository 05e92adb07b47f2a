package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
)

// creds are the project's generated credentials, read from the state
// directory (never printed).
type creds struct {
	AirflowAdminUser     string `json:"airflow_admin_user"`
	AirflowAdminPassword string `json:"airflow_admin_password"`
	S3AccessKey          string `json:"s3_access_key"`
	S3SecretKey          string `json:"s3_secret_key"`
	JupyterToken         string `json:"jupyter_token"`
}

func readCreds(path string) (*creds, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c creds
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	if c.AirflowAdminUser == "" {
		c.AirflowAdminUser = "admin"
	}
	return &c, nil
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// doJSON sends a request with an optional JSON body and decodes a JSON answer.
func doJSON(ctx context.Context, method, u string, header http.Header, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %.300s", method, u, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode: %w: %.300s", method, u, err, data)
	}
	return nil
}

// --- MLflow ---

type mlflowRun struct {
	Info struct {
		RunID        string `json:"run_id"`
		RunName      string `json:"run_name"`
		ExperimentID string `json:"experiment_id"`
		Status       string `json:"status"`
		ArtifactURI  string `json:"artifact_uri"`
	} `json:"info"`
	Data struct {
		Metrics []struct {
			Key   string  `json:"key"`
			Value float64 `json:"value"`
		} `json:"metrics"`
		Params []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"params"`
		Tags []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"tags"`
	} `json:"data"`
}

func (r mlflowRun) tag(key string) string {
	for _, t := range r.Data.Tags {
		if t.Key == key {
			return t.Value
		}
	}
	return ""
}

func (r mlflowRun) metric(key string) (float64, bool) {
	for _, m := range r.Data.Metrics {
		if m.Key == key {
			return m.Value, true
		}
	}
	return 0, false
}

func (r mlflowRun) param(key string) string {
	for _, p := range r.Data.Params {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// mlflowRuns returns the runs of the named experiment, newest first.
func mlflowRuns(ctx context.Context, base, experiment string) ([]mlflowRun, error) {
	var exp struct {
		Experiment struct {
			ID string `json:"experiment_id"`
		} `json:"experiment"`
	}
	if err := doJSON(ctx, "GET", base+"/api/2.0/mlflow/experiments/get-by-name?experiment_name="+url.QueryEscape(experiment), nil, nil, &exp); err != nil {
		return nil, err
	}
	var runs struct {
		Runs []mlflowRun `json:"runs"`
	}
	body := map[string]any{"experiment_ids": []string{exp.Experiment.ID}, "max_results": 100, "order_by": []string{"attributes.start_time DESC"}}
	if err := doJSON(ctx, "POST", base+"/api/2.0/mlflow/runs/search", nil, body, &runs); err != nil {
		return nil, err
	}
	return runs.Runs, nil
}

func mlflowGetRun(ctx context.Context, base, runID string) (*mlflowRun, error) {
	var out struct {
		Run mlflowRun `json:"run"`
	}
	if err := doJSON(ctx, "GET", base+"/api/2.0/mlflow/runs/get?run_id="+url.QueryEscape(runID), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out.Run, nil
}

// --- S3 (MinIO), ListObjectsV2 signed with AWS Signature Version 4 ---

func s3List(ctx context.Context, endpoint, accessKey, secretKey, bucket, prefix string) ([]string, error) {
	var keys []string
	token := ""
	for {
		q := url.Values{"list-type": {"2"}}
		if prefix != "" {
			q.Set("prefix", prefix)
		}
		if token != "" {
			q.Set("continuation-token", token)
		}
		u := endpoint + "/" + bucket + "/?" + strings.ReplaceAll(q.Encode(), "+", "%20")
		req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
		if err != nil {
			return nil, err
		}
		sigV4(req, accessKey, secretKey, "us-east-1", time.Now().UTC())
		resp, err := httpClient.Do(req)
		if err != nil {
			return nil, err
		}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("list s3://%s/%s: HTTP %d: %.300s", bucket, prefix, resp.StatusCode, data)
		}
		var res struct {
			Contents []struct {
				Key string `xml:"Key"`
			} `xml:"Contents"`
			IsTruncated           bool   `xml:"IsTruncated"`
			NextContinuationToken string `xml:"NextContinuationToken"`
		}
		if err := xml.Unmarshal(data, &res); err != nil {
			return nil, fmt.Errorf("list s3://%s: decode: %w", bucket, err)
		}
		for _, c := range res.Contents {
			keys = append(keys, c.Key)
		}
		if !res.IsTruncated || res.NextContinuationToken == "" {
			return keys, nil
		}
		token = res.NextContinuationToken
	}
}

// sigV4 signs a body-less request for the s3 service.
func sigV4(req *http.Request, accessKey, secretKey, region string, now time.Time) {
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("x-amz-date", amzDate)
	req.Header.Set("x-amz-content-sha256", empty)

	// Canonical query: keys and values URI-encoded, sorted by key.
	q := req.URL.Query()
	var qk []string
	for k := range q {
		qk = append(qk, k)
	}
	sort.Strings(qk)
	var qs []string
	for _, k := range qk {
		for _, v := range q[k] {
			qs = append(qs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	signed := "host;x-amz-content-sha256;x-amz-date"
	canonical := strings.Join([]string{
		req.Method, path, strings.Join(qs, "&"),
		"host:" + req.URL.Host + "\n" + "x-amz-content-sha256:" + empty + "\n" + "x-amz-date:" + amzDate + "\n",
		signed, empty,
	}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSum([]byte("AWS4"+secretKey), day)
	key = hmacSum(key, region)
	key = hmacSum(key, "s3")
	key = hmacSum(key, "aws4_request")
	sig := hex.EncodeToString(hmacSum(key, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

func hmacSum(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// uriEncode encodes like AWS: everything but unreserved characters.
func uriEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// --- Airflow REST API (v2) ---

type airflow struct {
	base, user, pass string
	token            string
}

func (a *airflow) auth(ctx context.Context) error {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := doJSON(ctx, "POST", a.base+"/auth/token", nil, map[string]string{"username": a.user, "password": a.pass}, &out); err != nil {
		return err
	}
	a.token = out.AccessToken
	return nil
}

func (a *airflow) get(ctx context.Context, path string, out any) error {
	if a.token == "" {
		if err := a.auth(ctx); err != nil {
			return err
		}
	}
	h := http.Header{"Authorization": {"Bearer " + a.token}}
	err := doJSON(ctx, "GET", a.base+path, h, nil, out)
	if err != nil && strings.Contains(err.Error(), "HTTP 401") {
		if err := a.auth(ctx); err != nil {
			return err
		}
		h.Set("Authorization", "Bearer "+a.token)
		err = doJSON(ctx, "GET", a.base+path, h, nil, out)
	}
	return err
}

type dagRun struct {
	RunID string `json:"dag_run_id"`
	State string `json:"state"`
}

// latestRun returns the DAG's newest run.
func (a *airflow) latestRun(ctx context.Context, dag string) (*dagRun, error) {
	var out struct {
		Runs []dagRun `json:"dag_runs"`
	}
	if err := a.get(ctx, "/api/v2/dags/"+url.PathEscape(dag)+"/dagRuns?order_by=-logical_date&limit=1", &out); err != nil {
		return nil, err
	}
	if len(out.Runs) == 0 {
		return nil, fmt.Errorf("DAG %s has no run", dag)
	}
	return &out.Runs[0], nil
}

type taskInstance struct {
	TaskID   string `json:"task_id"`
	State    string `json:"state"`
	Operator string `json:"operator"`
}

func (a *airflow) taskInstances(ctx context.Context, dag, run string) ([]taskInstance, error) {
	var out struct {
		TIs []taskInstance `json:"task_instances"`
	}
	err := a.get(ctx, "/api/v2/dags/"+url.PathEscape(dag)+"/dagRuns/"+url.PathEscape(run)+"/taskInstances", &out)
	return out.TIs, err
}

// xcom returns a task's return value as JSON text.
func (a *airflow) xcom(ctx context.Context, dag, run, task string) (string, error) {
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	err := a.get(ctx, "/api/v2/dags/"+url.PathEscape(dag)+"/dagRuns/"+url.PathEscape(run)+"/taskInstances/"+url.PathEscape(task)+"/xcomEntries/return_value", &out)
	return string(out.Value), err
}

// waitDag waits until Airflow has parsed the DAG (the dag-processor works on
// its own schedule after a start), failing early on an import error of it.
func (a *airflow) waitDag(ctx context.Context, dag string, since time.Time) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var last error
	for {
		var d struct {
			DagID      string     `json:"dag_id"`
			LastParsed *time.Time `json:"last_parsed_time"`
		}
		last = a.get(ctx, "/api/v2/dags/"+url.PathEscape(dag), &d)
		if last == nil && d.DagID == dag {
			if since.IsZero() || d.LastParsed != nil && d.LastParsed.After(since) {
				return nil
			}
			last = fmt.Errorf("last parsed at %v, before %v", d.LastParsed, since)
		}
		var ie struct {
			Errors []struct {
				Filename   string `json:"filename"`
				StackTrace string `json:"stack_trace"`
			} `json:"import_errors"`
		}
		if a.get(ctx, "/api/v2/importErrors", &ie) == nil && len(ie.Errors) > 0 {
			return fmt.Errorf("DAG files fail to import: %s: %.2000s", ie.Errors[0].Filename, ie.Errors[0].StackTrace)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("DAG %s did not appear in Airflow (parsed after %v): %v (%w)", dag, since, last, ctx.Err())
		case <-tick.C:
		}
	}
}
