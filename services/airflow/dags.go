package airflow

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// DAG is what the tool shows about one DAG.
type DAG struct {
	ID          string   `json:"dag_id"`
	DisplayName string   `json:"display_name"`
	Description string   `json:"description,omitempty"`
	Paused      bool     `json:"paused"`
	Tags        []string `json:"tags"`
	Owners      []string `json:"owners"`
	// Schedule is Airflow's summary of the timetable ("@daily",
	// "0 * * * *"); empty for a DAG that only runs when triggered.
	Schedule string `json:"schedule"`
	// ScheduleDescription is the timetable in words
	// ("Never, external triggers only").
	ScheduleDescription string `json:"schedule_description,omitempty"`
	// NextRun is when the scheduler will next create a run; nil when it
	// will not (no schedule, or paused and caught up).
	NextRun         *time.Time `json:"next_run"`
	HasImportErrors bool       `json:"has_import_errors"`
	// File is the DAG's file relative to its bundle (the dags folder).
	File       string     `json:"file"`
	LastParsed *time.Time `json:"last_parsed,omitempty"`
}

// dagJSON is Airflow's DAGResponse, reduced to what DAG needs.
type dagJSON struct {
	DagID              string     `json:"dag_id"`
	DagDisplayName     string     `json:"dag_display_name"`
	Description        *string    `json:"description"`
	IsPaused           bool       `json:"is_paused"`
	Tags               []tagJSON  `json:"tags"`
	Owners             []string   `json:"owners"`
	TimetableSummary   *string    `json:"timetable_summary"`
	TimetableDesc      *string    `json:"timetable_description"`
	NextDagrunRunAfter *time.Time `json:"next_dagrun_run_after"`
	HasImportErrors    bool       `json:"has_import_errors"`
	RelativeFileloc    *string    `json:"relative_fileloc"`
	Fileloc            string     `json:"fileloc"`
	LastParsedTime     *time.Time `json:"last_parsed_time"`
}

type tagJSON struct {
	Name string `json:"name"`
}

func (d dagJSON) toDAG() DAG {
	tags := make([]string, 0, len(d.Tags))
	for _, t := range d.Tags {
		tags = append(tags, t.Name)
	}
	owners := d.Owners
	if owners == nil {
		owners = []string{}
	}
	file := d.Fileloc
	if d.RelativeFileloc != nil && *d.RelativeFileloc != "" {
		file = *d.RelativeFileloc
	}
	name := d.DagDisplayName
	if name == "" {
		name = d.DagID
	}
	return DAG{
		ID:                  d.DagID,
		DisplayName:         name,
		Description:         deref(d.Description),
		Paused:              d.IsPaused,
		Tags:                tags,
		Owners:              owners,
		Schedule:            deref(d.TimetableSummary),
		ScheduleDescription: deref(d.TimetableDesc),
		NextRun:             d.NextDagrunRunAfter,
		HasImportErrors:     d.HasImportErrors,
		File:                file,
		LastParsed:          d.LastParsedTime,
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ListDAGs returns every DAG Airflow knows (stale ones excluded), ordered by
// id, fetching as many pages as it takes.
func (c *Client) ListDAGs(ctx context.Context) ([]DAG, error) {
	q := url.Values{"order_by": {"dag_id"}}
	raw, err := listPages[dagJSON](ctx, c, "/api/v2/dags", "dags", q, 0)
	if err != nil {
		return nil, err
	}
	dags := make([]DAG, 0, len(raw))
	for _, d := range raw {
		dags = append(dags, d.toDAG())
	}
	return dags, nil
}

// GetDAG returns one DAG; ErrNotFound when Airflow does not know it.
func (c *Client) GetDAG(ctx context.Context, dagID string) (DAG, error) {
	var d dagJSON
	if err := c.getJSON(ctx, dagPath(dagID), nil, &d); err != nil {
		return DAG{}, err
	}
	return d.toDAG(), nil
}

// SetPaused pauses or unpauses a DAG and returns it as Airflow now has it.
func (c *Client) SetPaused(ctx context.Context, dagID string, paused bool) (DAG, error) {
	var d dagJSON
	q := url.Values{"update_mask": {"is_paused"}}
	body := struct {
		IsPaused bool `json:"is_paused"`
	}{paused}
	if err := c.sendJSON(ctx, http.MethodPatch, dagPath(dagID), q, body, &d); err != nil {
		return DAG{}, err
	}
	return d.toDAG(), nil
}

// ImportError is a DAG file that failed to load.
type ImportError struct {
	ID int `json:"id"`
	// Filename is relative to its bundle, e.g. "broken.py".
	Filename   string    `json:"filename"`
	Bundle     string    `json:"bundle,omitempty"`
	Timestamp  time.Time `json:"timestamp"`
	StackTrace string    `json:"stack_trace"`
}

type importErrorJSON struct {
	ID         int       `json:"import_error_id"`
	Timestamp  time.Time `json:"timestamp"`
	Filename   string    `json:"filename"`
	BundleName *string   `json:"bundle_name"`
	StackTrace string    `json:"stack_trace"`
}

// ListImportErrors returns every current import error, ordered by file.
func (c *Client) ListImportErrors(ctx context.Context) ([]ImportError, error) {
	q := url.Values{"order_by": {"filename"}}
	raw, err := listPages[importErrorJSON](ctx, c, "/api/v2/importErrors", "import_errors", q, 0)
	if err != nil {
		return nil, err
	}
	out := make([]ImportError, 0, len(raw))
	for _, e := range raw {
		out = append(out, ImportError{
			ID:         e.ID,
			Filename:   e.Filename,
			Bundle:     deref(e.BundleName),
			Timestamp:  e.Timestamp,
			StackTrace: e.StackTrace,
		})
	}
	return out, nil
}
