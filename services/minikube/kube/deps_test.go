package kube

import (
	"os/exec"
	"strings"
	"testing"
)

// The binary talks to Kubernetes through API alone. client-go's generated
// clientset and its discovery client must stay out of it: their package
// initialisers (every API group's scheme, the OpenAPI models) cost every
// command, --help included, milliseconds at start-up. kubetest, which wraps
// the fake clientset, is for tests only.
func TestTheBinaryDoesNotLinkTheClientset(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/gaiaflow/gaiaflow").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	banned := map[string]bool{
		"github.com/gaiaflow/gaiaflow/services/minikube/kube/kubetest": true,
		"k8s.io/client-go/kubernetes":                                  true,
		"k8s.io/client-go/kubernetes/scheme":                           true,
		"k8s.io/client-go/discovery":                                   true,
		"github.com/google/gnostic-models/openapiv2":                   true,
		"testing": true,
	}
	for _, pkg := range strings.Fields(string(out)) {
		if banned[pkg] {
			t.Errorf("the gaiaflow binary depends on %s", pkg)
		}
	}
}
