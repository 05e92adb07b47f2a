package dashboard

import (
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

func TestModePanelChecklistAndSwitch(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("2")
	d.see("[2 Mode]", "● dev", "What dev needs", "✓ local stack")
	d.keys("j")
	d.see("What dev_docker needs", "✗ task image: demo:0.1.0 not built — press b", "press m to switch to dev_docker")
	d.keys("m")
	d.until("mode switch", func() bool { return strings.Contains(d.screen(), "mode dev_docker") })
	d.keys("b")
	d.until("image built", func() bool { return strings.Contains(d.screen(), "✓ task image: demo:0.1.0 built") })
	d.keys("j", "P")
	d.until("cluster start fails", func() bool {
		return strings.Contains(d.screen(), "✗ start-cluster · failed: minikube is not installed")
	})
	got := d.actions()
	if len(got) != 3 || got[0] != (tui.Action{Verb: tui.VerbSetMode, Target: "dev_docker"}) || got[1].Verb != tui.VerbBuildImage {
		t.Errorf("actions %v", got)
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
