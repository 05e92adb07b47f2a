// Package stack runs a project's local stack — Airflow, MLflow, MinIO and
// JupyterLab with their databases — as containers on the Docker engine.
//
// It owns the service specs (plan.go and one file per service), the ordered
// parallel start with readiness waits (start.go), and status, logs, stop and
// cleanup. It reaches the engine only through the Engine interface, so the
// orchestration is unit-tested against a fake; container state changes come
// from the engine's event stream (tracker.go), never from polling loops.
//
// Every resource it creates is named from the project id and labelled with
// it; nothing is ever touched that does not carry this project's label.
package stack
