package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/dockerizewizard"
	"github.com/gaiaflow/gaiaflow/ui/tui/initwizard"
	"github.com/gaiaflow/gaiaflow/ui/tui/secretwizard"
)

// dashboardWizards gives the dashboard the wizards that exist. A wizard it
// does not return (nil) is reported by the dashboard with the command to run
// instead.
func dashboardWizards(a *App) func(w tui.Wizard, width, height int) tea.Model {
	return func(w tui.Wizard, width, height int) tea.Model {
		if w == tui.WizardDockerize {
			return dockerizeWizard(a, width, height)
		}
		if w == tui.WizardSecret {
			return secretWizard(a)
		}
		if w != tui.WizardInit {
			return nil
		}
		cfg := initwizard.Config{
			Embedded: true,
			CheckDir: func(d string) error { return scaffold.CheckTarget(a.abs(d), false) },
		}
		if scaffold.CheckTarget(a.Cwd, false) == nil {
			cfg.Dir = "."
			cfg.Defaults = scaffold.Defaults(filepath.Base(a.Cwd))
		} else {
			cfg.Defaults = scaffold.Defaults("")
			cfg.DirFollowsName = true
		}
		m := initwizard.New(cfg)
		if width > 0 {
			next, _ := m.Update(tea.WindowSizeMsg{Width: width, Height: height})
			m = next.(initwizard.Model)
		}
		return initHost{a: a, wizard: m}
	}
}

// initHost runs the init wizard inside the dashboard and, once confirmed,
// generates the project; it ends with tui.WizardDone either way. Nothing is
// printed: the dashboard owns the screen.
type initHost struct {
	a      *App
	wizard initwizard.Model
}

func (h initHost) Init() tea.Cmd { return h.wizard.Init() }

func (h initHost) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if done, ok := msg.(initwizard.DoneMsg); ok {
		return h, func() tea.Msg { return h.finish(done.Result) }
	}
	next, cmd := h.wizard.Update(msg)
	h.wizard = next.(initwizard.Model)
	return h, cmd
}

func (h initHost) View() string { return h.wizard.View() }

func (h initHost) finish(r initwizard.Result) tui.WizardDone {
	if !r.Confirmed {
		return tui.WizardDone{Wizard: tui.WizardInit, Message: "init cancelled: nothing was written"}
	}
	res, err := scaffold.Generate(h.a.abs(r.Dir), r.Answers, scaffold.Options{})
	if err != nil {
		return tui.WizardDone{Wizard: tui.WizardInit, Err: err}
	}
	return tui.WizardDone{Wizard: tui.WizardInit,
		Message: fmt.Sprintf("created %s: %d files; open it with `gaiaflow -p %s`", res.Dir, len(res.Created), res.Dir)}
}

// dockerizeWizard builds with the same functions as `dev dockerize` and
// `prod-local dockerize`; the wizard shows their events.
func dockerizeWizard(a *App, width, height int) tea.Model {
	target := "docker"
	if p, err := a.Project(); err == nil && p.Config.Mode == "prod_local" {
		target = "minikube"
	}
	m := dockerizewizard.New(dockerizewizard.Config{
		Defaults:   dockerizewizard.Answers{Target: target},
		CheckImage: func(name string) error { _, err := build.CheckImageName(name); return err },
		Build: func(ctx context.Context, ans dockerizewizard.Answers, r event.Reporter) error {
			p, err := a.Project()
			if err != nil {
				return err
			}
			return dockerizeTo(ctx, a, p, ans.Target, build.DockerizeOptions{Image: ans.Image, BaseImage: ans.BaseImage}, r)
		},
	})
	if width > 0 {
		next, _ := m.Update(tea.WindowSizeMsg{Width: width, Height: height})
		m = next.(dockerizewizard.Model)
	}
	return m
}

// secretWizard checks and applies with the functions `prod-local
// create-secret` uses; it reports keys, never values.
func secretWizard(a *App) tea.Model {
	spec := func(ans secretwizard.Answers) (kube.SecretSpec, error) {
		p, err := a.Project()
		if err != nil {
			return kube.SecretSpec{}, err
		}
		values := map[string]string{}
		if ans.EnvFile != "" {
			if values, err = kube.CollectData(nil, ans.EnvFile); err != nil {
				return kube.SecretSpec{}, err
			}
		}
		for k, v := range ans.Data {
			values[k] = v
		}
		return secretSpec(p, ans.Name, ans.Namespace, values, false), nil
	}
	return secretwizard.New(secretwizard.Config{
		Namespace: minikube.TaskNamespace,
		Check: func(ans secretwizard.Answers) error {
			s, err := spec(ans)
			if err != nil {
				return err
			}
			return kube.ValidateSpec(s)
		},
		Apply: func(ctx context.Context, ans secretwizard.Answers) (string, error) {
			s, err := spec(ans)
			if err != nil {
				return "", err
			}
			ch, err := a.createSecret(ctx, s, event.Discard)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("secret %s/%s %s with keys %s", ch.Namespace, ch.Name, ch.Action, strings.Join(ch.Keys, ", ")), nil
		},
	})
}
