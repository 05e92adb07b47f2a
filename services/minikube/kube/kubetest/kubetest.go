// Package kubetest lets tests hand client-go's fake clientset to code that
// takes a kube.API. It is test support: the gaiaflow binary must not link it,
// since it brings client-go's generated clientset, whose scheme registers
// every API group when the program starts; kube.API exists to avoid that.
//
// It does not import package kube, so that kube's own tests can use it.
package kubetest

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/kubernetes"
)

// Clientset is a kube.API backed by a clientset, usually
// k8s.io/client-go/kubernetes/fake's: its reactors, recorded actions and
// faked server version work as usual.
type Clientset struct {
	CS kubernetes.Interface
}

// FromClientset wraps cs.
func FromClientset(cs kubernetes.Interface) *Clientset { return &Clientset{CS: cs} }

// fieldManager is the one kube's real client writes with.
const fieldManager = "gaiaflow"

func (c *Clientset) ServerVersion(context.Context) (*version.Info, error) {
	return c.CS.Discovery().ServerVersion()
}

func (c *Clientset) ListNodes(ctx context.Context) ([]corev1.Node, error) {
	list, err := c.CS.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

func (c *Clientset) ListPods(ctx context.Context, selector string) ([]corev1.Pod, error) {
	list, err := c.CS.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

func (c *Clientset) GetNamespace(ctx context.Context, name string) (*corev1.Namespace, error) {
	return c.CS.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
}

func (c *Clientset) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	return c.CS.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (c *Clientset) CreateSecret(ctx context.Context, s *corev1.Secret) (*corev1.Secret, error) {
	return c.CS.CoreV1().Secrets(s.Namespace).Create(ctx, s, metav1.CreateOptions{FieldManager: fieldManager})
}

func (c *Clientset) UpdateSecret(ctx context.Context, s *corev1.Secret) (*corev1.Secret, error) {
	return c.CS.CoreV1().Secrets(s.Namespace).Update(ctx, s, metav1.UpdateOptions{FieldManager: fieldManager})
}
