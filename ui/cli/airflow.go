package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Airflow returns the client for the project's Airflow, building it on first
// use. Building it reads (on a project's first use, generates) the project's
// credentials; it does not contact Airflow.
func (a *App) Airflow(ctx context.Context) (*airflow.Client, error) {
	if a.airflow != nil {
		return a.airflow, nil
	}
	p, err := a.Project()
	if err != nil {
		return nil, err
	}
	st, err := p.State()
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "", "open the project's state")
	}
	creds, err := st.Credentials(ctx)
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "", "read the project's credentials")
	}
	c, err := airflow.ForProject(p, creds)
	if err != nil {
		return nil, errs.Wrap(errs.Usage, err, "fix services.airflow.port in gaiaflow.toml", "")
	}
	a.airflow = c
	return c, nil
}

// airflowError turns an error of the Airflow client into what a person
// reads: one line saying what failed, one hint saying what to do. action
// says what the command was doing ("list the DAGs"); dagID, when not empty,
// is the DAG whose absence a 404 means.
func airflowError(err error, c *airflow.Client, action, dagID string) error {
	var known *errs.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &known), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, airflow.ErrUnreachable):
		return explained(err, "start it with `gaiaflow dev start`",
			"Airflow is not reachable at %s (%s)", c.BaseURL(), lastPart(err.Error()))
	case errors.Is(err, airflow.ErrUnauthorized):
		return explained(err, "`gaiaflow dev status` shows whether this project's Airflow is the one on that port; `gaiaflow dev start -f` recreates it with the project's credentials",
			"Airflow at %s rejected this project's credentials", c.BaseURL())
	case errors.Is(err, airflow.ErrNotFound) && dagID != "":
		return explained(err, "`gaiaflow dags list` shows the DAGs; `gaiaflow dags errors` shows the files that failed to import",
			"no DAG %q in Airflow", dagID)
	case errors.Is(err, airflow.ErrBadResponse):
		return explained(err, "check services.airflow.port in gaiaflow.toml: another program may be listening there",
			"%s: the server at %s does not answer like Airflow 3", action, c.BaseURL())
	}
	hint := ""
	var apiErr *airflow.APIError
	if errors.As(err, &apiErr) && apiErr.Status >= http.StatusInternalServerError {
		hint = "Airflow's logs may say why: `gaiaflow dev logs airflow`"
	}
	return errs.Wrap(errs.Failure, err, hint, "%s", action)
}

// explained is a failure that reads as its message alone: the cause stays
// in the chain for errors.Is and --debug, but not in the line people read.
func explained(cause error, hint, format string, args ...any) error {
	return &errs.Error{Kind: errs.Failure, Hint: hint, Err: &briefError{msg: fmt.Sprintf(format, args...), cause: cause}}
}

type briefError struct {
	msg   string
	cause error
}

func (e *briefError) Error() string { return e.msg }
func (e *briefError) Unwrap() error { return e.cause }

// lastPart is the innermost reason of a chain of "context: cause" messages:
// "connection refused", "no such host", "no answer within 30s".
func lastPart(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
