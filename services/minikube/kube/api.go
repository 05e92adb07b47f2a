package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/version"
)

// API is the part of the Kubernetes API gaiaflow uses. Errors are client-go's
// (apierrors.IsNotFound and the like work on them), whichever implementation
// answers: NewClient's talks to an API server, tests use client-go's fake
// clientset through package kubetest.
type API interface {
	// ServerVersion is what the API server's /version says.
	ServerVersion(ctx context.Context) (*version.Info, error)
	// ListNodes lists the cluster's nodes.
	ListNodes(ctx context.Context) ([]corev1.Node, error)
	// ListPods lists the pods of every namespace that match a label
	// selector (metav1.ListOptions.LabelSelector's syntax).
	ListPods(ctx context.Context, selector string) ([]corev1.Pod, error)
	// GetNamespace reads a namespace (prod checks that it exists).
	GetNamespace(ctx context.Context, name string) (*corev1.Namespace, error)
	GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error)
	// CreateSecret creates s in s.Namespace; UpdateSecret replaces it there,
	// failing with a conflict when s.ResourceVersion is not the stored one.
	// Both write as field manager "gaiaflow".
	CreateSecret(ctx context.Context, s *corev1.Secret) (*corev1.Secret, error)
	UpdateSecret(ctx context.Context, s *corev1.Secret) (*corev1.Secret, error)
}
