package adapter

import (
	"os"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
)

// TestMain removes the stand-in images once every test is done: stacktest
// builds them once per test binary, so one test must not remove them under
// the next.
func TestMain(m *testing.M) {
	code := m.Run()
	stacktest.RemoveImages()
	os.Exit(code)
}
