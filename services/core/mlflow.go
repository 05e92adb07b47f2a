package core

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/mlflow"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// The MLflow use cases: `gaiaflow mlflow ...` and the dashboard's MLflow
// panel, through the project's MLflow REST API.

// MLflowAPI is what the core asks of MLflow; *mlflow.Client implements it
// and the core's tests a fake.
type MLflowAPI interface {
	BaseURL() string
	SearchExperiments(ctx context.Context, max int) ([]mlflow.Experiment, error)
	SearchRuns(ctx context.Context, s mlflow.RunSearch) ([]mlflow.Run, error)
	GetRun(ctx context.Context, runID string) (mlflow.Run, error)
	MetricHistory(ctx context.Context, runID, key string) ([]mlflow.Metric, error)
	ListArtifacts(ctx context.Context, runID, path string) ([]mlflow.FileInfo, error)
}

var _ MLflowAPI = (*mlflow.Client)(nil)

// MLflow returns the client of the project's MLflow, built once per project
// and port. It contacts nothing.
func (c *Core) MLflow() (MLflowAPI, error) {
	p, err := c.Project()
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s:%d", p.ID(), p.Config.Services.MLflow.Port)
	c.mu.Lock()
	defer c.mu.Unlock()
	if mc, ok := c.mlflow[key]; ok {
		return mc, nil
	}
	newClient := c.d.NewMLflow
	if newClient == nil {
		newClient = func(p *project.Project) (MLflowAPI, error) { return mlflow.ForProject(p) }
	}
	mc, err := newClient(p)
	if err != nil {
		return nil, errs.Wrap(errs.Usage, err, "fix services.mlflow.port in gaiaflow.toml", "")
	}
	c.mlflow[key] = mc
	return mc, nil
}

// MLflowError turns an error of the MLflow client into what a person
// reads, in either face: one line saying what failed, one hint saying what
// to do. The cause stays in the chain.
func MLflowError(err error, base, action string) error {
	var known *errs.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &known), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, mlflow.ErrUnreachable):
		return explained(err, "start it with `gaiaflow dev start`",
			"MLflow is not reachable at %s (%s)", base, lastPart(err.Error()))
	case errors.Is(err, mlflow.ErrDenied):
		return explained(err, "`gaiaflow dev status` shows whether this project's MLflow is the one on that port",
			"MLflow at %s refused the request", base)
	case errors.Is(err, mlflow.ErrBadResponse):
		return explained(err, "check services.mlflow.port in gaiaflow.toml: another program may be listening there",
			"%s: the server at %s does not answer like MLflow", action, base)
	}
	hint := ""
	var apiErr *mlflow.APIError
	if errors.As(err, &apiErr) && apiErr.Status >= 500 {
		hint = "MLflow's logs may say why: `gaiaflow dev logs mlflow`"
	}
	return errs.Wrap(errs.Failure, err, hint, "%s", action)
}

// MLflowURL is the root of the project's MLflow UI.
func (c *Core) MLflowURL() (string, error) {
	mc, err := c.MLflow()
	if err != nil {
		return "", err
	}
	return mc.BaseURL(), nil
}

// Experiments lists MLflow's active experiments, most recently changed
// first.
func (c *Core) Experiments(ctx context.Context) ([]mlflow.Experiment, error) {
	mc, err := c.MLflow()
	if err != nil {
		return nil, err
	}
	exps, err := mc.SearchExperiments(ctx, 0)
	return exps, MLflowError(err, mc.BaseURL(), "list MLflow's experiments")
}

// MLflowRunsQuery selects MLflow runs: those of one experiment (by id or
// name), those a DAG run logged (DAGID and RunID, narrowed to one task
// with TaskID: matched on the airflow.* tags, see services/mlflow), or,
// with neither, those of every experiment. Limit bounds how many are read
// (0: DefaultMLflowRuns).
type MLflowRunsQuery struct {
	Experiment string
	DAGID      string
	RunID      string
	TaskID     string
	Limit      int
}

// DefaultMLflowRuns is how many runs a query reads unless told otherwise.
const DefaultMLflowRuns = 100

// MLflowRuns is what a query found.
type MLflowRuns struct {
	// Experiments are those searched, by id.
	Experiments map[string]mlflow.Experiment `json:"experiments"`
	Runs        []mlflow.Run                 `json:"runs"`
	// Widened says that no run was tagged with the task asked for, so
	// Runs are all of its DAG run's.
	Widened bool `json:"widened,omitempty"`
	// MetricKeys are the keys of the runs' metrics, sorted: the columns
	// a table of them can show.
	MetricKeys []string `json:"metric_keys"`
	// URL is the MLflow UI's root.
	URL string `json:"url"`
}

// MLflowRuns lists runs, newest first.
func (c *Core) MLflowRuns(ctx context.Context, q MLflowRunsQuery) (MLflowRuns, error) {
	switch {
	case q.Limit < 0:
		return MLflowRuns{}, errs.Usagef("use --limit 0 for the default", "--limit %d: want 0 or more", q.Limit)
	case q.TaskID != "" && q.RunID == "":
		return MLflowRuns{}, errs.Usagef("`gaiaflow dags runs DAG` shows the run ids", "a task needs its DAG run: give --run too")
	case q.RunID != "" && q.DAGID == "":
		return MLflowRuns{}, errs.Usagef("`gaiaflow dags list` shows the DAG ids", "a DAG run needs its DAG: give --dag too")
	case q.DAGID != "" && q.Experiment != "":
		return MLflowRuns{}, errs.Usagef("a DAG run's MLflow runs are searched in every experiment", "give an experiment or a DAG run, not both")
	}
	if q.Limit == 0 {
		q.Limit = DefaultMLflowRuns
	}
	mc, err := c.MLflow()
	if err != nil {
		return MLflowRuns{}, err
	}
	base := mc.BaseURL()
	exps, err := mc.SearchExperiments(ctx, 0)
	if err != nil {
		return MLflowRuns{}, MLflowError(err, base, "list MLflow's experiments")
	}
	out := MLflowRuns{Experiments: map[string]mlflow.Experiment{}, URL: base}
	var ids []string
	for _, e := range exps {
		if q.Experiment == "" || e.ID == q.Experiment || e.Name == q.Experiment {
			ids = append(ids, e.ID)
			out.Experiments[e.ID] = e
		}
	}
	if q.Experiment != "" && len(ids) == 0 {
		return MLflowRuns{}, errs.Usagef("`gaiaflow mlflow experiments` lists them", "no MLflow experiment %q", q.Experiment)
	}
	search := func(task string) ([]mlflow.Run, error) {
		s := mlflow.RunSearch{ExperimentIDs: ids, Max: q.Limit}
		if q.DAGID != "" {
			f, err := mlflow.LinkFilter(q.DAGID, q.RunID, task)
			if err != nil {
				return nil, errs.Wrap(errs.Usage, err, "", "")
			}
			s.Filter = f
		}
		runs, err := mc.SearchRuns(ctx, s)
		return runs, MLflowError(err, base, "list MLflow's runs")
	}
	if out.Runs, err = search(q.TaskID); err != nil {
		return MLflowRuns{}, err
	}
	if len(out.Runs) == 0 && q.TaskID != "" {
		// The task logged nothing of its own (the example's evaluate logs
		// into train's run): its DAG run's runs are the next best answer.
		if out.Runs, err = search(""); err != nil {
			return MLflowRuns{}, err
		}
		out.Widened = len(out.Runs) > 0
	}
	out.MetricKeys = metricKeys(out.Runs)
	return out, nil
}

// metricKeys is the sorted union of the runs' metric keys.
func metricKeys(runs []mlflow.Run) []string {
	seen := map[string]bool{}
	for _, r := range runs {
		for k := range r.Metrics {
			seen[k] = true
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RunURL is a run's page in the project's MLflow UI.
func (r MLflowRuns) RunURL(run mlflow.Run) string {
	return mlflow.RunURL(r.URL, run.ExperimentID, run.ID)
}

// MLflowRunDetail is one run whole: the run, each metric's history (in
// step order) and the artifacts at its root.
type MLflowRunDetail struct {
	Run       mlflow.Run                 `json:"run"`
	History   map[string][]mlflow.Metric `json:"history"`
	Artifacts []mlflow.FileInfo          `json:"artifacts"`
	URL       string                     `json:"url"`
}

// historyReaders bounds the metric histories read at once.
const historyReaders = 4

// MLflowRun reads one run, its metrics' histories and its root artifacts.
func (c *Core) MLflowRun(ctx context.Context, runID string) (MLflowRunDetail, error) {
	if strings.TrimSpace(runID) == "" {
		return MLflowRunDetail{}, errs.Usagef("`gaiaflow mlflow runs` shows the run ids", "a run id cannot be empty")
	}
	mc, err := c.MLflow()
	if err != nil {
		return MLflowRunDetail{}, err
	}
	base := mc.BaseURL()
	run, err := mc.GetRun(ctx, runID)
	if errors.Is(err, mlflow.ErrNotFound) {
		return MLflowRunDetail{}, explained(err, "`gaiaflow mlflow runs` lists the runs", "no MLflow run %q", runID)
	}
	if err != nil {
		return MLflowRunDetail{}, MLflowError(err, base, "read MLflow run "+runID)
	}
	d := MLflowRunDetail{Run: run, History: map[string][]mlflow.Metric{}, URL: mlflow.RunURL(base, run.ExperimentID, run.ID)}
	keys := make([]string, 0, len(run.Metrics))
	for k := range run.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, historyReaders)
	)
	// keep records a read's outcome: its error, the first of which is
	// the answer, or its result.
	keep := func(err error, ok func()) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil && first == nil:
			first = err
		case err == nil:
			ok()
		}
	}
	for _, k := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			h, err := mc.MetricHistory(ctx, runID, k)
			keep(err, func() { d.History[k] = h })
		})
	}
	wg.Go(func() {
		arts, err := mc.ListArtifacts(ctx, runID, "")
		keep(err, func() { d.Artifacts = arts })
	})
	wg.Wait()
	if first != nil {
		return MLflowRunDetail{}, MLflowError(first, base, "read MLflow run "+runID)
	}
	return d, nil
}

// MLflowArtifacts lists a run's artifacts under path ("" the root).
func (c *Core) MLflowArtifacts(ctx context.Context, runID, path string) ([]mlflow.FileInfo, error) {
	if strings.TrimSpace(runID) == "" {
		return nil, errs.Usagef("`gaiaflow mlflow runs` shows the run ids", "a run id cannot be empty")
	}
	mc, err := c.MLflow()
	if err != nil {
		return nil, err
	}
	arts, err := mc.ListArtifacts(ctx, runID, path)
	return arts, MLflowError(err, mc.BaseURL(), "list the artifacts of MLflow run "+runID)
}
