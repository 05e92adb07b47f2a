package dashboard

import "testing"

func TestServiceLogsAfterTaskLog(t *testing.T) {
	d := newDriver(t, 80, 24)
	d.keys("3", "enter", "enter", "l")
	d.see("train_model › extract")
	d.keys("1", "l")
	d.see("INFO Starting the scheduler")
}
