// Package kube is gaiaflow's door to the Kubernetes API of the prod_local
// cluster: secrets, the cluster's version and nodes, and the pods of task
// runs. Everything takes an API, the few calls gaiaflow makes, so tests use
// client-go's fake clientset (through package kubetest) and the binary does
// without client-go's generated clientset: importing that one registers every
// API group of Kubernetes and the OpenAPI models when the program starts,
// which cost every command, even --help, several milliseconds.
package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Factory builds a client for a context of a kubeconfig file. ui/cli holds
// one; tests hand out fake clientsets instead.
type Factory func(kubeconfig, context string) (API, error)

// requestTimeout bounds every API call, so a stopped cluster fails fast.
const requestTimeout = 20 * time.Second

// fieldManager names gaiaflow in the managed fields of what it writes.
const fieldManager = "gaiaflow"

// NewClient builds a client from the kubeconfig file at path and the named
// context. Only that file is read: neither $KUBECONFIG nor ~/.kube/config.
// clientcmd and client-go's REST client honour all of it: certificates,
// tokens, exec plugins, proxies.
func NewClient(path, context string) (API, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "run `gaiaflow prod-local create-config`, or `gaiaflow prod-local start` if the cluster is not running",
			"load kubeconfig %s", path)
	}
	cfg.Timeout = requestTimeout
	cfg.UserAgent = "gaiaflow"
	api, err := newRESTAPI(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client for %s: %w", path, err)
	}
	return api, nil
}

// restAPI is API over client-go's REST client for the core/v1 group, with a
// scheme of that group alone. Its requests are those of client-go's typed
// core/v1 client: same paths, parameters, protobuf preference, rate limits,
// retries and errors.
type restAPI struct {
	rc     *rest.RESTClient
	params runtime.ParameterCodec
}

func newRESTAPI(cfg *rest.Config) (*restAPI, error) {
	scheme := runtime.NewScheme()
	// core/v1's types, and metav1's options and Status in that group.
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	c := rest.CopyConfig(cfg)
	gv := corev1.SchemeGroupVersion
	c.GroupVersion = &gv
	c.APIPath = "/api"
	c.NegotiatedSerializer = rest.CodecFactoryForGeneratedClient(scheme, serializer.NewCodecFactory(scheme)).WithoutConversion()
	rc, err := rest.RESTClientFor(c)
	if err != nil {
		return nil, err
	}
	return &restAPI{rc: rc, params: runtime.NewParameterCodec(scheme)}, nil
}

func (a *restAPI) ServerVersion(ctx context.Context) (*version.Info, error) {
	body, err := a.rc.Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	var info version.Info
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("unable to parse the server version: %w", err)
	}
	return &info, nil
}

func (a *restAPI) ListNodes(ctx context.Context) ([]corev1.Node, error) {
	var list corev1.NodeList
	err := a.rc.Get().UseProtobufAsDefault().Resource("nodes").
		VersionedParams(&metav1.ListOptions{}, a.params).Do(ctx).Into(&list)
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

func (a *restAPI) ListPods(ctx context.Context, selector string) ([]corev1.Pod, error) {
	var list corev1.PodList
	err := a.rc.Get().UseProtobufAsDefault().Resource("pods").
		VersionedParams(&metav1.ListOptions{LabelSelector: selector}, a.params).Do(ctx).Into(&list)
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

func (a *restAPI) GetNamespace(ctx context.Context, name string) (*corev1.Namespace, error) {
	var ns corev1.Namespace
	err := a.rc.Get().UseProtobufAsDefault().Resource("namespaces").Name(name).
		VersionedParams(&metav1.GetOptions{}, a.params).Do(ctx).Into(&ns)
	if err != nil {
		return nil, err
	}
	return &ns, nil
}

func (a *restAPI) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	var s corev1.Secret
	err := a.rc.Get().UseProtobufAsDefault().NamespaceIfScoped(namespace, namespace != "").Resource("secrets").Name(name).
		VersionedParams(&metav1.GetOptions{}, a.params).Do(ctx).Into(&s)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func (a *restAPI) CreateSecret(ctx context.Context, s *corev1.Secret) (*corev1.Secret, error) {
	var out corev1.Secret
	err := a.rc.Post().UseProtobufAsDefault().NamespaceIfScoped(s.Namespace, s.Namespace != "").Resource("secrets").
		VersionedParams(&metav1.CreateOptions{FieldManager: fieldManager}, a.params).Body(s).Do(ctx).Into(&out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *restAPI) UpdateSecret(ctx context.Context, s *corev1.Secret) (*corev1.Secret, error) {
	var out corev1.Secret
	err := a.rc.Put().UseProtobufAsDefault().NamespaceIfScoped(s.Namespace, s.Namespace != "").Resource("secrets").Name(s.Name).
		VersionedParams(&metav1.UpdateOptions{FieldManager: fieldManager}, a.params).Body(s).Do(ctx).Into(&out)
	if err != nil {
		return nil, err
	}
	return &out, nil
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
