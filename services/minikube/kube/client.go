// Package kube is gaiaflow's door to the Kubernetes API of the prod_local
// cluster, through client-go: secrets, the cluster's version and nodes, and
// the pods of task runs. Everything takes a kubernetes.Interface, so tests
// use client-go's fake clientset.
package kube

import (
	"errors"
	"fmt"
	"net"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Factory builds a client for a context of a kubeconfig file. ui/cli holds
// one; tests hand out fake clientsets instead.
type Factory func(kubeconfig, context string) (kubernetes.Interface, error)

// requestTimeout bounds every API call, so a stopped cluster fails fast.
const requestTimeout = 20 * time.Second

// NewClient builds a client from the kubeconfig file at path and the named
// context. Only that file is read: neither $KUBECONFIG nor ~/.kube/config.
func NewClient(path, context string) (kubernetes.Interface, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "run `gaiaflow prod-local create-config`, or `gaiaflow prod-local start` if the cluster is not running",
			"load kubeconfig %s", path)
	}
	cfg.Timeout = requestTimeout
	cfg.UserAgent = "gaiaflow"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client for %s: %w", path, err)
	}
	return cs, nil
}

// apiError gives an API error a hint a person can act on.
func apiError(err error, format string, args ...any) error {
	var netErr net.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &netErr):
		return errs.Wrap(errs.Failure, err, "check the cluster with `gaiaflow prod-local status`; start it with `gaiaflow prod-local start`", format, args...)
	case apierrors.IsForbidden(err), apierrors.IsUnauthorized(err):
		return errs.Wrap(errs.Failure, err, "refresh the credentials with `gaiaflow prod-local create-config`", format, args...)
	}
	return errs.Wrap(errs.Failure, err, "check the cluster with `gaiaflow prod-local status`", format, args...)
}
