package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/event"
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
			CheckDir: func(d string) error { return scaffold.CheckTarget(abs(a, d), false) },
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
	res, err := scaffold.Generate(abs(h.a, r.Dir), r.Answers, scaffold.Options{})
	if err != nil {
		return tui.WizardDone{Wizard: tui.WizardInit, Err: err}
	}
	return tui.WizardDone{Wizard: tui.WizardInit,
		Message: fmt.Sprintf("created %s: %d files; open it with `gaiaflow -p %s`", res.Dir, len(res.Created), res.Dir)}
}

// dockerizeWizard builds with the same functions as `dev dockerize` and
// `prod-local dockerize`; the wizard shows their events.
func dockerizeWizard(a *App, width, height int) tea.Model {
	target := core.TargetDocker
	if p, err := a.Core().Project(); err == nil {
		target = core.TargetFor(modes.Mode(p.Config.Mode))
	}
	m := dockerizewizard.New(dockerizewizard.Config{
		Defaults:   dockerizewizard.Answers{Target: target},
		CheckImage: core.CheckImageName,
		Build: func(ctx context.Context, ans dockerizewizard.Answers, r event.Reporter) error {
			_, err := a.Core().Dockerize(ctx, core.DockerizeOptions{Target: ans.Target, Image: ans.Image, BaseImage: ans.BaseImage}, r)
			return err
		},
	})
	if width > 0 {
		next, _ := m.Update(tea.WindowSizeMsg{Width: width, Height: height})
		m = next.(dockerizewizard.Model)
	}
	return m
}

// secretWizard checks and applies through the core's use cases that
// `prod-local create-secret` calls; it reports keys, never values.
func secretWizard(a *App) tea.Model {
	req := func(ans secretwizard.Answers) core.SecretRequest {
		pairs := make([]string, 0, len(ans.Data))
		for k, v := range ans.Data {
			pairs = append(pairs, k+"="+v)
		}
		return core.SecretRequest{Name: ans.Name, Namespace: ans.Namespace, Pairs: pairs, EnvFile: ans.EnvFile}
	}
	return secretwizard.New(secretwizard.Config{
		Namespace: core.TaskNamespace,
		Check:     func(ans secretwizard.Answers) error { return a.Core().CheckSecret(req(ans)) },
		Apply: func(ctx context.Context, ans secretwizard.Answers) (string, error) {
			ch, err := a.Core().CreateSecret(ctx, req(ans), event.Discard)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("secret %s/%s %s with keys %s", ch.Namespace, ch.Name, ch.Action, strings.Join(ch.Keys, ", ")), nil
		},
	})
}
