package kube

import (
	"bytes"
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
)

// SecretSpec is a secret to create or update. Data's values are never
// printed, logged, reported in events or put in an error.
type SecretSpec struct {
	Name      string
	Namespace string
	Data      map[string]string
	// Labels are set on a secret gaiaflow creates; an existing secret keeps
	// its own.
	Labels map[string]string
	// Update allows replacing the data of an existing secret.
	Update bool
	// Type is the secret's type: Opaque (the default), or
	// kubernetes.io/dockerconfigjson for an image pull secret.
	Type corev1.SecretType
}

// secretType is spec's type, Opaque when unset.
func (spec SecretSpec) secretType() corev1.SecretType {
	if spec.Type == "" {
		return corev1.SecretTypeOpaque
	}
	return spec.Type
}

// Actions a SecretChange reports.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
)

// SecretChange is what ApplySecret did: key names only.
type SecretChange struct {
	Name      string   `json:"name"`
	Namespace string   `json:"namespace"`
	Action    string   `json:"action"`
	Keys      []string `json:"keys"`
	Added     []string `json:"added"`
	Changed   []string `json:"changed"`
	Removed   []string `json:"removed"`
}

const secretScope = "secret"

func report(rep event.Reporter, kind event.Kind, state, msg string) {
	rep.Report(event.Event{Kind: kind, Scope: secretScope, Service: secretScope, State: state, Message: msg})
}

// ApplySecret creates the secret, or with spec.Update replaces the data of
// an existing one (the given data becomes the whole data: keys not given are
// removed). It reports each added, changed and removed key by name. An
// existing secret without spec.Update is an error.
func ApplySecret(ctx context.Context, api API, spec SecretSpec, rep event.Reporter) (SecretChange, error) {
	change, err := applySecret(ctx, api, spec, rep)
	if err != nil {
		err = scrub(err, spec.Data)
		rep.Report(event.Event{Kind: event.Done, Scope: secretScope, Service: secretScope, State: "failed",
			Message: "secret " + spec.Name, Err: err.Error()})
	}
	return change, err
}

func applySecret(ctx context.Context, api API, spec SecretSpec, rep event.Reporter) (SecretChange, error) {
	if err := ValidateSpec(spec); err != nil {
		return SecretChange{}, err
	}
	change := SecretChange{Name: spec.Name, Namespace: spec.Namespace, Keys: sortedKeys(spec.Data),
		Added: []string{}, Changed: []string{}, Removed: []string{}}
	report(rep, event.Step, "checking", "checking for secret "+spec.Name+" in namespace "+spec.Namespace)
	existing, err := api.GetSecret(ctx, spec.Namespace, spec.Name)
	switch {
	case apierrors.IsNotFound(err):
		return create(ctx, api, spec, change, rep)
	case err != nil:
		return change, apiError(err, "read secret %s in namespace %s", spec.Name, spec.Namespace)
	case !spec.Update:
		return change, errs.Failf("pass --update to replace its data (gaiaflow reports which keys are added, changed or removed)",
			"secret %s already exists in namespace %s", spec.Name, spec.Namespace)
	}
	if err := checkType(existing, spec.secretType()); err != nil {
		return change, err
	}
	// Update with the version just read; on a conflict, read again and
	// recompute the difference (client-go's retry.RetryOnConflict).
	first := true
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if !first {
			var err error
			if existing, err = api.GetSecret(ctx, spec.Namespace, spec.Name); err != nil {
				return err
			}
			if err := checkType(existing, spec.secretType()); err != nil {
				return err
			}
		}
		first = false
		change.Added, change.Changed, change.Removed = diff(existing.Data, spec.Data)
		if len(change.Added)+len(change.Changed)+len(change.Removed) == 0 {
			change.Action = ActionUnchanged
			return nil
		}
		updated := existing.DeepCopy()
		updated.Data = toBytes(spec.Data)
		updated.StringData = nil
		_, err := api.UpdateSecret(ctx, updated)
		change.Action = ActionUpdated
		return err
	})
	if err != nil {
		if _, ok := err.(*errs.Error); ok {
			return change, err
		}
		return change, apiError(err, "update secret %s in namespace %s", spec.Name, spec.Namespace)
	}
	for _, k := range change.Added {
		report(rep, event.Step, "added", "key "+k+" added")
	}
	for _, k := range change.Changed {
		report(rep, event.Step, "changed", "key "+k+" changed")
	}
	for _, k := range change.Removed {
		report(rep, event.Step, "removed", "key "+k+" removed")
	}
	if change.Action == ActionUnchanged {
		report(rep, event.Done, ActionUnchanged, "secret "+spec.Name+" in namespace "+spec.Namespace+" already holds this data; nothing changed")
		return change, nil
	}
	report(rep, event.Done, ActionUpdated, "updated secret "+spec.Name+" in namespace "+spec.Namespace+": "+
		plural(len(change.Added), "key")+" added, "+plural(len(change.Changed), "key")+" changed, "+plural(len(change.Removed), "key")+" removed")
	return change, nil
}

func create(ctx context.Context, api API, spec SecretSpec, change SecretChange, rep event.Reporter) (SecretChange, error) {
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: spec.Name, Namespace: spec.Namespace, Labels: spec.Labels},
		Type:       spec.secretType(),
		Data:       toBytes(spec.Data),
	}
	_, err := api.CreateSecret(ctx, s)
	switch {
	case apierrors.IsAlreadyExists(err):
		// Created by someone else between our Get and Create.
		return change, errs.Failf("pass --update to replace its data", "secret %s already exists in namespace %s", spec.Name, spec.Namespace)
	case apierrors.IsNotFound(err):
		return change, errs.Failf("create the namespace first, or pass --namespace default",
			"namespace %s does not exist in the cluster", spec.Namespace)
	case err != nil:
		return change, apiError(err, "create secret %s in namespace %s", spec.Name, spec.Namespace)
	}
	change.Action = ActionCreated
	change.Added = change.Keys
	report(rep, event.Done, ActionCreated, "created secret "+spec.Name+" in namespace "+spec.Namespace+" with "+
		plural(len(change.Keys), "key")+": "+keyList(change.Keys))
	return change, nil
}

// checkType refuses to replace the data of a secret of another type than
// the one gaiaflow would create.
func checkType(s *corev1.Secret, want corev1.SecretType) error {
	got := s.Type
	if got == "" {
		got = corev1.SecretTypeOpaque
	}
	if got != want {
		return errs.Failf("choose another name; gaiaflow only replaces the data of a secret of type "+string(want),
			"secret %s in namespace %s is of type %s", s.Name, s.Namespace, s.Type)
	}
	return nil
}

// diff compares the data of an existing secret with the new data, by key.
func diff(old map[string][]byte, next map[string]string) (added, changed, removed []string) {
	added, changed, removed = []string{}, []string{}, []string{}
	for _, k := range sortedKeys(next) {
		ov, ok := old[k]
		switch {
		case !ok:
			added = append(added, k)
		case !bytes.Equal(ov, []byte(next[k])):
			changed = append(changed, k)
		}
	}
	for _, k := range sortedKeys(old) {
		if _, ok := next[k]; !ok {
			removed = append(removed, k)
		}
	}
	return added, changed, removed
}

func toBytes(m map[string]string) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = []byte(v)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Redacted is the placeholder that stands for every value in a dry run.
const Redacted = "<redacted>"

// Manifest is a secret as a dry run shows it: its values redacted.
type Manifest struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   ManifestMeta      `json:"metadata"`
	Type       string            `json:"type"`
	StringData map[string]string `json:"stringData"`
}

// ManifestMeta is a Manifest's metadata.
type ManifestMeta struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// DryRun validates spec and returns the secret ApplySecret would create,
// with every value replaced by Redacted. It does not contact a cluster.
func DryRun(spec SecretSpec) (Manifest, error) {
	if err := ValidateSpec(spec); err != nil {
		return Manifest{}, err // it names keys, never values
	}
	m := Manifest{APIVersion: "v1", Kind: "Secret", Type: string(spec.secretType()),
		Metadata:   ManifestMeta{Name: spec.Name, Namespace: spec.Namespace, Labels: spec.Labels},
		StringData: map[string]string{}}
	for k := range spec.Data {
		m.StringData[k] = Redacted
	}
	return m, nil
}

// MissingSecrets returns those of names that do not exist in namespace.
func MissingSecrets(ctx context.Context, api API, namespace string, names []string) ([]string, error) {
	var missing []string
	for _, n := range names {
		_, err := api.GetSecret(ctx, namespace, n)
		switch {
		case apierrors.IsNotFound(err):
			missing = append(missing, n)
		case err != nil:
			return nil, apiError(err, "read secret %s in namespace %s", n, namespace)
		}
	}
	return missing, nil
}
