// Package faults is gaiaflow's fault-injection suite: the real binary on
// the real Docker daemon, with the stand-in images of services/stack
// (stacktest), while something goes wrong — a container killed in each
// phase of `dev start`, gaiaflow interrupted, the daemon restarted (a
// private one, in a network namespace of its own), the daemon gone or the
// state directory's disk full during a build, a damaged credentials file,
// a stale lock, gaiaflow.toml edited under the dashboard, two starts at
// once. Each case checks the exit code, that the message names the cause,
// that nothing is lost (volume data, credentials, no half-written file),
// that nothing is left unlabelled, and that the next `dev start` succeeds.
//
// It holds only tests (`make test` runs them); the cases that need the
// real programs of the image kit are in e2e (TestE2EFault...).
package faults
