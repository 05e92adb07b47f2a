package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube/kubetest"
)

// Values distinctive enough that finding one anywhere is a leak.
var values = map[string]string{
	"AWS_ACCESS_KEY_ID":     "AKIAVALUE0000LEAK1",
	"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-LEAK2-bPxRfiCY",
	"DB_PASSWORD":           "hunter2-LEAK3",
}

func spec(update bool) SecretSpec {
	data := map[string]string{}
	for k, v := range values {
		data[k] = v
	}
	return SecretSpec{Name: "mlflow-credentials", Namespace: "default", Data: data, Update: update,
		Labels: map[string]string{"app.kubernetes.io/managed-by": "gaiaflow"}}
}

// noValues fails the test when any value appears in s.
func noValues(t *testing.T, where, s string) {
	t.Helper()
	for k, v := range values {
		if strings.Contains(s, v) {
			t.Errorf("the value of %s appears in %s:\n%s", k, where, s)
		}
	}
}

func eventsText(rec *event.Recorder) string {
	var b strings.Builder
	for _, e := range rec.Events() {
		fmt.Fprintf(&b, "%+v\n", e)
	}
	return b.String()
}

func TestFakeClientsetCreateSecret(t *testing.T) {
	cs := fake.NewClientset()
	var rec event.Recorder
	ch, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), spec(false), &rec)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != ActionCreated || len(ch.Added) != 3 || len(ch.Changed)+len(ch.Removed) != 0 {
		t.Errorf("change = %+v", ch)
	}
	s, err := cs.CoreV1().Secrets("default").Get(context.Background(), "mlflow-credentials", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != corev1.SecretTypeOpaque || s.Labels["app.kubernetes.io/managed-by"] != "gaiaflow" {
		t.Errorf("secret %+v", s.ObjectMeta)
	}
	for k, v := range values {
		if string(s.Data[k]) != v {
			t.Errorf("data[%s] wrong", k)
		}
	}
	text := eventsText(&rec)
	noValues(t, "events", text)
	if !strings.Contains(text, "created secret mlflow-credentials in namespace default with 3 keys: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, DB_PASSWORD") {
		t.Errorf("events:\n%s", text)
	}
}

func TestFakeClientsetExistingSecretNeedsUpdate(t *testing.T) {
	cs := fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "mlflow-credentials", Namespace: "default"}, Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{"OLD": []byte("old-value-LEAK4")}})
	var rec event.Recorder
	_, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), spec(false), &rec)
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(errs.HintOf(err), "--update") {
		t.Fatalf("err = %v, hint %q", err, errs.HintOf(err))
	}
	if errs.KindOf(err) != errs.Failure {
		t.Errorf("kind %v", errs.KindOf(err))
	}
	noValues(t, "events", eventsText(&rec))
	s, _ := cs.CoreV1().Secrets("default").Get(context.Background(), "mlflow-credentials", metav1.GetOptions{})
	if string(s.Data["OLD"]) != "old-value-LEAK4" || len(s.Data) != 1 {
		t.Errorf("the existing secret changed: %v", s.Data)
	}
}

func TestFakeClientsetUpdateReportsKeyDiff(t *testing.T) {
	cs := fake.NewClientset(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "mlflow-credentials", Namespace: "default", Labels: map[string]string{"team": "ml"}},
		Type:       corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			"AWS_ACCESS_KEY_ID": []byte(values["AWS_ACCESS_KEY_ID"]), // unchanged
			"DB_PASSWORD":       []byte("previous-LEAK5"),            // changed
			"GONE":              []byte("removed-LEAK6"),             // removed
		},
	})
	var rec event.Recorder
	ch, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), spec(true), &rec)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != ActionUpdated || !slices.Equal(ch.Added, []string{"AWS_SECRET_ACCESS_KEY"}) ||
		!slices.Equal(ch.Changed, []string{"DB_PASSWORD"}) || !slices.Equal(ch.Removed, []string{"GONE"}) {
		t.Errorf("change = %+v", ch)
	}
	s, _ := cs.CoreV1().Secrets("default").Get(context.Background(), "mlflow-credentials", metav1.GetOptions{})
	if len(s.Data) != 3 || string(s.Data["DB_PASSWORD"]) != values["DB_PASSWORD"] || s.Labels["team"] != "ml" {
		t.Errorf("secret after update: labels %v, %d keys", s.Labels, len(s.Data))
	}
	text := eventsText(&rec)
	noValues(t, "events", text)
	for _, w := range []string{"key AWS_SECRET_ACCESS_KEY added", "key DB_PASSWORD changed", "key GONE removed", "1 key added, 1 key changed, 1 key removed"} {
		if !strings.Contains(text, w) {
			t.Errorf("events lack %q:\n%s", w, text)
		}
	}
	for _, old := range []string{"previous-LEAK5", "removed-LEAK6"} {
		if strings.Contains(text, old) {
			t.Errorf("old value %s in events", old)
		}
	}
}

func TestFakeClientsetUpdateUnchangedWritesNothing(t *testing.T) {
	cs := fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "mlflow-credentials", Namespace: "default"},
		Type: corev1.SecretTypeOpaque, Data: toBytes(spec(true).Data)})
	ch, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), spec(true), event.Discard)
	if err != nil || ch.Action != ActionUnchanged {
		t.Fatalf("%+v %v", ch, err)
	}
	for _, a := range cs.Actions() {
		if a.GetVerb() == "update" {
			t.Errorf("updated an unchanged secret")
		}
	}
}

func TestFakeClientsetUpdateCreatesWhenMissing(t *testing.T) {
	ch, err := ApplySecret(context.Background(), kubetest.FromClientset(fake.NewClientset()), spec(true), event.Discard)
	if err != nil || ch.Action != ActionCreated {
		t.Fatalf("%+v %v", ch, err)
	}
}

func TestFakeClientsetUpdateRetriesOnConflict(t *testing.T) {
	cs := fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "mlflow-credentials", Namespace: "default"},
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"X": []byte("y-value")}})
	conflicts := 1
	cs.PrependReactor("update", "secrets", func(k8stesting.Action) (bool, runtime.Object, error) {
		if conflicts > 0 {
			conflicts--
			return true, nil, apierrors.NewConflict(schema.GroupResource{Resource: "secrets"}, "mlflow-credentials", errors.New("changed meanwhile"))
		}
		return false, nil, nil
	})
	ch, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), spec(true), event.Discard)
	if err != nil || ch.Action != ActionUpdated || !slices.Equal(ch.Removed, []string{"X"}) {
		t.Fatalf("%+v %v", ch, err)
	}
}

func TestFakeClientsetRefusesNonOpaque(t *testing.T) {
	cs := fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "mlflow-credentials", Namespace: "default"},
		Type: corev1.SecretTypeTLS})
	_, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), spec(true), event.Discard)
	if err == nil || !strings.Contains(err.Error(), "kubernetes.io/tls") {
		t.Fatalf("err = %v", err)
	}
}

func TestFakeClientsetMissingNamespace(t *testing.T) {
	cs := fake.NewClientset()
	cs.PrependReactor("create", "secrets", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "ml")
	})
	s := spec(false)
	s.Namespace = "ml"
	_, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), s, event.Discard)
	if err == nil || !strings.Contains(err.Error(), "namespace ml does not exist") {
		t.Fatalf("err = %v", err)
	}
}

// An API error that quotes a value (no real API server does, but a proxy or a
// webhook might) is scrubbed, and the scrubbed error carries no cause that
// --debug could print.
func TestFakeClientsetErrorsAreScrubbed(t *testing.T) {
	cs := fake.NewClientset()
	cs.PrependReactor("create", "secrets", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewBadRequest("admission webhook denied data " + values["AWS_SECRET_ACCESS_KEY"])
	})
	var rec event.Recorder
	_, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), spec(false), &rec)
	if err == nil {
		t.Fatal("no error")
	}
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		noValues(t, "the error chain", fmt.Sprintf("%v %+v", e, e))
	}
	if !strings.Contains(err.Error(), "admission webhook denied data <redacted>") {
		t.Errorf("err = %v", err)
	}
	noValues(t, "events", eventsText(&rec))
}

func TestFakeClientsetValidationBeforeAnyCall(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*SecretSpec)
		want   string
	}{
		{"uppercase name", func(s *SecretSpec) { s.Name = "MLflow" }, `secret name "MLflow" is not valid (a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters`},
		{"underscore name", func(s *SecretSpec) { s.Name = "ml_creds" }, "a secret name is a DNS-1123 subdomain: at most 253 lower-case letters, digits, '-' and '.'"},
		{"empty name", func(s *SecretSpec) { s.Name = "" }, "a secret needs a name"},
		{"long name", func(s *SecretSpec) { s.Name = strings.Repeat("a", 254) }, "must be no more than 253 characters"},
		{"bad namespace", func(s *SecretSpec) { s.Namespace = "ml.team" }, `namespace "ml.team" is not valid (must not contain dots): a namespace is a DNS-1123 label: at most 63`},
		{"dash key", func(s *SecretSpec) { s.Data["MY-KEY"] = "v" }, `key "MY-KEY" is not valid: a key becomes an environment variable of the task, so it must consist of letters, digits and '_', and must not start with a digit`},
		{"digit key", func(s *SecretSpec) { s.Data["1KEY"] = "v" }, `key "1KEY" is not valid`},
		{"no data", func(s *SecretSpec) { s.Data = nil }, "has no data"},
		{"too big", func(s *SecretSpec) { s.Data["BIG"] = strings.Repeat("x", maxSecretBytes) }, "Kubernetes allows at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(false)
			tt.mutate(&s)
			cs := fake.NewClientset()
			var rec event.Recorder
			_, err := ApplySecret(context.Background(), kubetest.FromClientset(cs), s, &rec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if errs.KindOf(err) != errs.Usage {
				t.Errorf("kind %v, want usage", errs.KindOf(err))
			}
			if len(cs.Actions()) != 0 {
				t.Errorf("called the API: %v", cs.Actions())
			}
			noValues(t, "the error", err.Error())
			if _, err := DryRun(s); err == nil {
				t.Error("dry run accepted it")
			}
		})
	}
}

func TestDryRunRedacts(t *testing.T) {
	m, err := DryRun(spec(false))
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "Secret" || m.APIVersion != "v1" || m.Type != "Opaque" || m.Metadata.Name != "mlflow-credentials" || len(m.StringData) != 3 {
		t.Errorf("manifest %+v", m)
	}
	for k, v := range m.StringData {
		if v != Redacted {
			t.Errorf("%s = %q", k, v)
		}
	}
	noValues(t, "the manifest", fmt.Sprintf("%+v", m))
}

func TestParseData(t *testing.T) {
	got, err := ParseData([]string{"A=1", "B=x=y", "C="})
	if err != nil || got["A"] != "1" || got["B"] != "x=y" || got["C"] != "" || len(got) != 3 {
		t.Fatalf("%v %v", got, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"A=1", "hunter2-LEAK3"}, "--data argument 2 has no '='"},
		{[]string{"=hunter2-LEAK3"}, "--data argument 1 has an empty key"},
		{[]string{"A=1", "A=hunter2-LEAK3"}, "key A is given twice"},
		{[]string{"my-key=hunter2-LEAK3"}, `key "my-key" is not valid`},
	} {
		_, err := ParseData(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) || errs.KindOf(err) != errs.Usage {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
			continue
		}
		noValues(t, "the error", err.Error()+errs.HintOf(err))
	}
}

func TestParseEnvFile(t *testing.T) {
	data := "# credentials\n\nexport A=1\r\nB = \"quoted value\"\nC='single'\nD=\"half\nE=x=y # not a comment\n"
	got, err := ParseEnvFile("creds.env", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": " \"quoted value\"", "C": "single", "D": "\"half", "E": "x=y # not a comment"}
	// B keeps its space after '=': only the key is trimmed, so the quotes
	// are not at the value's edges and stay.
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, tc := range []struct{ data, want string }{
		{"A=1\nhunter2-LEAK3\n", "creds.env:2: no '='"},
		{"A=1\nA=hunter2-LEAK3\n", "creds.env:2: key A is given twice"},
		{"BAD-KEY=hunter2-LEAK3\n", `creds.env:1: key "BAD-KEY" is not valid`},
	} {
		_, err := ParseEnvFile("creds.env", []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
			continue
		}
		noValues(t, "the error", err.Error())
	}
}

func TestCollectData(t *testing.T) {
	f := filepath.Join(t.TempDir(), "creds.env")
	if err := os.WriteFile(f, []byte("DB_PASSWORD=hunter2-LEAK3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := CollectData([]string{"A=1"}, f)
	if err != nil || got["A"] != "1" || got["DB_PASSWORD"] != values["DB_PASSWORD"] {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := CollectData([]string{"DB_PASSWORD=x"}, f); err == nil || !strings.Contains(err.Error(), "key DB_PASSWORD is in both --data and") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := CollectData(nil, filepath.Join(t.TempDir(), "none.env")); err == nil || errs.KindOf(err) != errs.Usage {
		t.Errorf("missing file: %v", err)
	}
}

func TestFakeClientsetMissingSecrets(t *testing.T) {
	cs := fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "default"}})
	missing, err := MissingSecrets(context.Background(), kubetest.FromClientset(cs), "default", []string{"a", "b"})
	if err != nil || !slices.Equal(missing, []string{"b"}) {
		t.Errorf("%v %v", missing, err)
	}
}

// A value that is also a word of gaiaflow's own message (the issue's
// `--name <your-secret-name> --data SOME_SECRET=secret`) leaves the message
// as it was written: input errors name keys, never values.
func TestBadInputErrorsAreNotRewritten(t *testing.T) {
	s := SecretSpec{Name: "<your-secret-name>", Namespace: "default", Data: map[string]string{"SOME_SECRET": "secret", "NAME": "name"}}
	want := `secret name "<your-secret-name>" is not valid`
	if _, err := DryRun(s); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("dry run: %v", err)
	}
	_, err := ApplySecret(context.Background(), kubetest.FromClientset(fake.NewClientset()), s, event.Discard)
	if err == nil || !strings.Contains(err.Error(), want) || errs.KindOf(err) != errs.Usage {
		t.Errorf("apply: %v", err)
	}
}

func TestRedactReplacesWholeValuesOnly(t *testing.T) {
	data := map[string]string{"A": "secret", "B": "hunter2-LEAK3", "C": "abc", "D": "hunter2-LEAK3-longer"}
	for _, tt := range []struct{ in, want string }{
		{"denied data hunter2-LEAK3", "denied data <redacted>"},
		{`Invalid value: "hunter2-LEAK3": bad`, `Invalid value: "<redacted>": bad`},
		{"value=hunter2-LEAK3-longer;", "value=<redacted>;"},
		{`name "<your-secret-name>" is not valid`, `name "<your-secret-name>" is not valid`},
		{"a secretive message", "a secretive message"},
		{"abc is short", "abc is short"},
		{"(secret)", "(<redacted>)"},
	} {
		if got := redact(tt.in, data); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
