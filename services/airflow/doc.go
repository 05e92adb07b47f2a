// Package airflow talks to the Airflow 3 REST API (/api/v2) of a project's
// stack: health and version, DAGs and their import errors, DAG runs, task
// instances and their logs, and the actions trigger, pause and unpause.
//
// Client owns the HTTP side: a JWT from POST /auth/token renewed when the
// server rejects it, one connection pool, a timeout per request and the
// caller's context on every call. Failures come back as typed errors
// (ErrUnreachable, ErrUnauthorized, ErrNotFound, ErrBadResponse, *APIError)
// so that the CLI and the dashboard can say what is wrong; this package writes
// no advice for people. ForProject builds the client for a project's own
// Airflow (its port, its generated admin credentials).
//
// Follow is the UI-free use case behind `dags trigger --wait`: it polls a run
// until it ends and reports every state change as a RunUpdate.
package airflow
