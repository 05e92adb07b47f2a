// Package mlflow is the client of MLflow's tracking server REST API (the
// 2.0 API under /api/2.0/mlflow): the reads gaiaflow makes of the
// project's MLflow — experiments, runs, one run, a metric's history and a
// run's artifacts — and the tags that tie a run to the Airflow task that
// logged it (links.go). It knows nothing of projects or faces: the
// application layer (services/core) builds it for a project's MLflow and
// turns its errors into what a person reads.
//
// mlflowtest starts a real `mlflow server` for the tests that say so
// (TestRealMLflow...).
package mlflow
