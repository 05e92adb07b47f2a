package modes

import (
	"encoding/json"
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

// TestRequirementJSON pins the names `mode check -o json` gives the
// fields scripts read: id and remedy stay; an empty remedy is left out.
func TestRequirementJSON(t *testing.T) {
	got, err := json.Marshal([]Requirement{
		{ID: SecretID("db"), Name: "secret db", Detail: "missing", Fix: "gaiaflow prod-local create-secret --name db", Remedy: RemedyCreateSecret},
		{ID: IDMinikube, Name: "minikube", Ready: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"id":"secret/db","name":"secret db","ready":false,"detail":"missing","fix":"gaiaflow prod-local create-secret --name db","remedy":"create-secret"},` +
		`{"id":"minikube","name":"minikube","ready":true}]`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
