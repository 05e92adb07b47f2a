// Package tui owns gaiaflow's terminal face: the dashboard and its panels
// (ui/tui/dashboard), the key table (ui/tui/keys), the theme (ui/tui/theme),
// pure rendering (ui/tui/render), reusable widgets (ui/tui/components), the
// user's preferences file (ui/tui/config), and an in-memory fake of the
// dashboard's backend (ui/tui/fake).
//
// This package itself holds only the seam between the dashboard and the rest
// of gaiaflow: the Backend interface and the plain data it carries. The
// interface belongs to its consumer, the dashboard; the adapter over the
// application layer (services/core: the stack, Airflow, MLflow, Minikube
// and the modes) implements it, and so does the fake.
// The dashboard decides nothing: everything it shows comes through Backend,
// and everything it does is an Action handed back to it.
package tui
