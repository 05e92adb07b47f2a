package dashboard

import (
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
)

// TestModePanelFixesEachMissingItemWithItsKey walks a project from dev to
// prod_local with the keys the checklists show: each missing item names
// the key that fixes it, and that key sends the action that does.
func TestModePanelFixesEachMissingItemWithItsKey(t *testing.T) {
	t.Parallel()
	var opened []tui.Wizard
	wizards := func(o *Options, _ *fake.Options) {
		o.Wizards = func(w tui.Wizard, _ *keys.Keymap, _, _ int) tea.Model { opened = append(opened, w); return nil }
	}
	d := newDriver(t, 120, 40, wizards)
	d.keys("2")
	d.see("[2 Mode]", "● dev", "What dev needs", "nothing to check")
	d.keys("j")
	d.see("What dev_docker needs", "✗ task image: no task image has been built for the local Docker engine — press b",
		"press m to switch to dev_docker")
	d.keys("m")
	d.until("the switch refused", func() bool {
		return strings.Contains(d.screen(), "✗ set-mode dev_docker · failed: dev_docker is not ready: 1 of 1 requirements are missing")
	})
	d.keys("b")
	d.until("image built", func() bool { return strings.Contains(d.screen(), "✓ task image: demo:0.1.0") })
	d.keys("m")
	d.until("mode switch", func() bool { return strings.Contains(d.screen(), "mode dev_docker") })

	d.keys("j")
	d.see("What prod_local needs", "✓ minikube: installed",
		"✗ cluster: profile gaiaflow-demo is Nonexistent — press P",
		"✗ airflow kubeconfig: the cluster is not running — press P",
		"✗ task image in the cluster: the cluster is not running — press P",
		"✗ secret mlflow-creds: the cluster is not running — press P")
	d.keys("P")
	d.until("cluster started", func() bool { return strings.Contains(d.screen(), "✓ cluster: profile gaiaflow-demo is running") })
	d.see("✓ airflow kubeconfig", "✗ task image in the cluster: no task image built for the cluster yet — press b",
		"✗ secret mlflow-creds: named in train_model.py; missing in namespace default — press E")
	d.keys("E")
	if !reflect.DeepEqual(opened, []tui.Wizard{tui.WizardSecret}) {
		t.Errorf("E opened %v, want the secret wizard", opened)
	}
	d.keys("b")
	d.until("image in the cluster", func() bool {
		return strings.Contains(d.screen(), "✓ task image in the cluster: demo:0.1.0 is in the cluster")
	})

	// Deleting the cluster asks for the project's name first.
	d.keys("K")
	d.see("Delete the Minikube cluster?", "Type the project's name")
	if n := len(d.actions()); n != 5 {
		t.Fatalf("K ran at once: %v", d.actions())
	}
	d.keys("d", "e", "m", "o", "enter")
	d.until("cluster deleted", func() bool {
		return strings.Contains(d.screen(), "✗ cluster: profile gaiaflow-demo is Nonexistent — press P")
	})

	want := []tui.Action{
		{Verb: tui.VerbSetMode, Target: "dev_docker"}, {Verb: tui.VerbBuildImage, Target: "dev_docker"},
		{Verb: tui.VerbSetMode, Target: "dev_docker"}, {Verb: tui.VerbStartCluster},
		{Verb: tui.VerbBuildImage, Target: "prod_local"}, {Verb: tui.VerbDeleteCluster},
	}
	if got := d.actions(); !reflect.DeepEqual(got, want) {
		t.Errorf("actions\n got %v\nwant %v", got, want)
	}
}

// TestModePanelShowsTheKeyAsBound: a remapped key is the one shown and the
// one that works; an unbound one leaves the item with its command.
func TestModePanelShowsTheKeyAsBound(t *testing.T) {
	t.Parallel()
	remap := func(o *Options, _ *fake.Options) {
		km, err := keys.New(map[keys.Action][]string{keys.BuildImage: {"B"}, keys.StartCluster: {}}, false)
		if err != nil {
			t.Fatal(err)
		}
		o.Keymap = km
	}
	d := newDriver(t, 120, 40, remap)
	d.keys("2", "j")
	d.see("✗ task image: no task image has been built for the local Docker engine — press B")
	d.keys("b")
	if len(d.actions()) != 0 {
		t.Errorf("b still builds: %v", d.actions())
	}
	d.keys("B")
	d.until("image built", func() bool { return strings.Contains(d.screen(), "✓ task image: demo:0.1.0") })
	d.keys("j")
	d.see("✗ cluster: profile gaiaflow-demo is Nonexistent; fix: gaiaflow prod-local start")
	d.notSee("press P")
	if got := d.actions(); len(got) != 1 || got[0] != (tui.Action{Verb: tui.VerbBuildImage, Target: "dev_docker"}) {
		t.Errorf("actions %v", got)
	}
}

// TestModePanelReadOnlyShowsCommandsNotKeys: --read-only hides the fixing
// keys; each missing item shows the command to run instead, and the keys
// do nothing.
func TestModePanelReadOnlyShowsCommandsNotKeys(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40, readOnly)
	d.keys("2", "j")
	d.see("✗ task image: no task image has been built for the local Docker engine; fix: build one with `gaiaflow dev dockerize`")
	d.keys("j")
	d.see("✗ cluster: profile gaiaflow-demo is Nonexistent; fix: gaiaflow prod-local start")
	d.notSee("press P", "press b", "press E")
	d.keys("b", "P", "K", "E")
	if a := d.actions(); len(a) != 0 {
		t.Errorf("read-only ran %v", a)
	}
}

func TestSwitchingToTheCurrentModeDoesNothing(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("2", "m")
	d.see("the mode is dev already")
	if len(d.actions()) != 0 {
		t.Errorf("actions %v", d.actions())
	}
}
