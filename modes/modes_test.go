package modes

import (
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func TestParse(t *testing.T) {
	for _, m := range All() {
		got, err := Parse(string(m))
		if err != nil || got != m {
			t.Errorf("Parse(%q) = %q, %v", m, got, err)
		}
		if m.Describe() == "" {
			t.Errorf("%s has no description", m)
		}
	}
	_, err := Parse("Dev")
	if err == nil || errs.KindOf(err) != errs.Usage || !strings.Contains(errs.HintOf(err), "dev_docker") {
		t.Errorf("Parse(Dev) = %v (hint %q)", err, errs.HintOf(err))
	}
	if len(All()) != 4 || All()[0] != Dev || All()[3] != Prod {
		t.Errorf("All() = %v", All())
	}
}
