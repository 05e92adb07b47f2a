// Package airflowtest starts a real Airflow 3 for tests: a temporary
// AIRFLOW_HOME with SQLite, the simple auth manager with one known admin,
// LocalExecutor, and the api-server, scheduler and dag-processor as child
// processes, each in its own process group. Two things differ from the
// real stack because of SQLite, and only matter when several runs and
// changes happen at once: the database is in WAL mode, and the api-server
// is reached through a small proxy that serialises changes made through the
// public API (gate.go says why).
//
// It is test support only: import it from _test.go files, never from the
// tool's code (a test in this package checks that the gaiaflow binary does
// not link it). It deliberately does not use services/airflow's client to
// decide that Airflow is ready, so that a bug in the client cannot hide
// behind the harness that tests it.
//
// Whether Airflow may be used at all is services/testenv's call: tests skip
// on a machine without it and fail in CI (GAIAFLOW_REQUIRE_AIRFLOW=1). The
// interpreter is $GAIAFLOW_PYTHON; `airflow` must sit beside it.
//
// Starting Airflow takes tens of seconds, so a test binary usually shares one
// instance between its tests through Shared, stopped from TestMain.
package airflowtest
