// Package build makes the images gaiaflow needs from a user's project: the
// task image (`dockerize`), which runs one DAG task per container or pod, and
// the Airflow runtime image of the local stack.
//
// Everything happens through the Engine API from an in-memory tar context:
// no docker CLI, and nothing is written into the project. The context, the
// Dockerfile and the dependency list are pure functions of the project's files
// and the settings, so they are tested without a daemon; the builds themselves
// are tested against a real one.
//
// Progress goes out as events (scope "build"): one Step event per Dockerfile
// step with Current/Total set, Log events for the steps' output, Progress
// events for base-image pulls, and a Done event at the end. The headless
// printer and the dashboard's wizard both render that same stream.
package build
