package fake

import (
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui/backendtest"
)

func TestFakeKeepsTheBackendContract(t *testing.T) {
	backendtest.Contract(t, New(Options{LogEvery: 1}))
	backendtest.Contract(t, New(Options{DockerDown: true}))
}

func TestFromEnv(t *testing.T) {
	o := FromEnv("1,noisy,fast,dockerdown,airflowdown,noproject,follow")
	if !o.Noisy || o.StepDelay != 0 || !o.DockerDown || !o.AirflowDown || !o.NoProject || o.LogEvery == 0 {
		t.Errorf("FromEnv = %+v", o)
	}
	if FromEnv("1").StepDelay == 0 {
		t.Error("the default fake has no visible progress")
	}
}
