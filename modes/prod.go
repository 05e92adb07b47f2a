package modes

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// RegistryProbe tells whether an image reference (name:tag or name@digest)
// exists in its registry (*registry.Client implements it).
type RegistryProbe interface {
	Pushed(ctx context.Context, ref string) (bool, error)
}

// ProdEnv is what the prod checks look at.
type ProdEnv struct {
	Settings project.Prod
	// Image is what `prod dockerize` pushes: [prod] image, or [prod]
	// registry and the task image's name; ImageErr says why there is none.
	Image    string
	ImageErr error
	// Deployment is the project's deployment record (dags/gaiaflow_prod.json).
	Deployment    project.Deployment
	Recorded      bool
	DeploymentErr error
	// Registry asks the registry; nil when it cannot be asked (ImageErr).
	Registry RegistryProbe
	// Cluster is the context [prod] names; nil when it names none.
	Cluster ContextProbe
	DAGsDir string
}

// The items of prod besides IDTaskImage, IDTag, IDPushed and the secrets.
const (
	IDProdContext = "prod-context"
	IDNamespace   = "namespace"
)

const (
	fixProdDockerize = "gaiaflow prod dockerize"
	exampleRegistry  = `set registry = "registry.example.com/team" under [prod] in gaiaflow.toml`
)

// CheckProd checks, item by item, what tasks need to run as pods of a real
// cluster: the task image named in a registry with a version tag, pushed
// (the digest gaiaflow recorded is in the registry), the cluster's context
// answering, its namespace, and every secret the DAGs name (and the pull
// secret, when [prod] names one) in that namespace.
func CheckProd(ctx context.Context, env ProdEnv) ([]Requirement, error) {
	named, err := SecretsNamedInDAGs(env.DAGsDir)
	if err != nil {
		return nil, fmt.Errorf("read the DAGs in %s: %w", env.DAGsDir, err)
	}
	var reqs []Requirement
	add := func(r Requirement) { reqs = append(reqs, r) }
	add(prodImage(env))
	add(prodTag(env))
	add(prodPushed(ctx, env))
	reqs = append(reqs, prodCluster(ctx, env, named)...)
	return reqs, nil
}

func prodImage(env ProdEnv) Requirement {
	r := Requirement{ID: IDTaskImage, Name: "task image"}
	if env.ImageErr != nil {
		r.Detail, r.Fix = oneLine(env.ImageErr.Error()), exampleRegistry
		return r
	}
	r.Ready, r.Detail = true, env.Image
	return r
}

func prodTag(env ProdEnv) Requirement {
	r := Requirement{ID: IDTag, Name: "tag"}
	if env.ImageErr != nil {
		r.Detail, r.Fix = "needs the task image", exampleRegistry
		return r
	}
	name, tag, _ := splitRef(env.Image)
	if tag == "" || tag == "latest" {
		r.Detail = "the tag is latest, which names a different image after every push"
		r.Fix = "give the package a version in pyproject.toml, or set [prod] image = \"" + name + ":0.1.0\""
		return r
	}
	r.Ready, r.Detail = true, tag
	return r
}

func prodPushed(ctx context.Context, env ProdEnv) Requirement {
	r := Requirement{ID: IDPushed, Name: "pushed", Fix: fixProdDockerize, Remedy: RemedyPush}
	d := env.Deployment
	switch {
	case env.ImageErr != nil:
		r.Detail, r.Fix, r.Remedy = "needs the task image", exampleRegistry, ""
		return r
	case env.DeploymentErr != nil:
		r.Detail = oneLine(env.DeploymentErr.Error())
		return r
	case !env.Recorded:
		r.Detail = "not pushed yet"
		return r
	case d.Image != env.Image:
		r.Detail = fmt.Sprintf("the recorded push is %s, but gaiaflow.toml and pyproject.toml now name %s", d.Image, env.Image)
		return r
	case env.Registry == nil:
		r.Detail = "cannot ask the registry"
		return r
	}
	ok, err := env.Registry.Pushed(ctx, d.Pinned())
	switch {
	case err != nil:
		r.Detail = "cannot ask the registry: " + oneLine(err.Error())
	case !ok:
		r.Detail = fmt.Sprintf("the registry no longer has %s@%s", d.Image, shortDigest(d.Digest))
	default:
		r.Ready, r.Fix, r.Remedy = true, "", ""
		r.Detail = fmt.Sprintf("%s@%s is in the registry", d.Image, shortDigest(d.Digest))
	}
	return r
}

// prodCluster checks the context, the namespace and the secrets.
func prodCluster(ctx context.Context, env ProdEnv, named map[string][]string) []Requirement {
	ns := env.Settings.Namespace
	type secret struct {
		name, where, fix string
		remedy           Remedy
	}
	var secrets []secret
	for _, n := range sortedNames(named) {
		secrets = append(secrets, secret{n, "named in " + strings.Join(named[n], ", "),
			"gaiaflow prod create-secret --name " + n + " --from-env-file FILE", RemedyCreateProdSecret})
	}
	if p := env.Settings.PullSecret; p != "" {
		// From the registry credentials of this machine: no wizard asks for them.
		secrets = append(secrets, secret{p, "[prod] pull_secret", "gaiaflow prod create-secret --pull", ""})
	}
	var reqs []Requirement
	secretsBlocked := func(why string) []Requirement {
		if len(secrets) == 0 {
			reqs = append(reqs, secretsNone())
		}
		for _, s := range secrets {
			reqs = append(reqs, Requirement{ID: SecretID(s.name), Name: "secret " + s.name, Detail: why})
		}
		return reqs
	}
	blocked := func(why string) []Requirement {
		reqs = append(reqs, Requirement{ID: IDNamespace, Name: "namespace " + ns, Detail: why})
		return secretsBlocked(why)
	}
	ctxReq := Requirement{ID: IDProdContext, Name: "cluster context"}
	if env.Cluster == nil {
		ctxReq.Detail = "[prod] names no context"
		ctxReq.Fix = "set context (and kubeconfig, if not the default) under [prod] in gaiaflow.toml; `kubectl config get-contexts` lists them"
		reqs = append(reqs, ctxReq)
		return blocked("needs the context")
	}
	api, err := env.Cluster.Client()
	if err != nil {
		ctxReq.Detail = oneLine(err.Error())
		ctxReq.Fix = "check context and kubeconfig under [prod] in gaiaflow.toml"
		reqs = append(reqs, ctxReq)
		return blocked("needs the context")
	}
	info, err := env.Cluster.Reach(ctx)
	if err != nil {
		ctxReq.Detail = env.Cluster.Name() + " does not answer: " + oneLine(err.Error())
		ctxReq.Fix = "check that the cluster runs and that your credentials for it are current"
		reqs = append(reqs, ctxReq)
		return blocked("the cluster does not answer")
	}
	ctxReq.Ready = true
	ctxReq.Detail = fmt.Sprintf("%s: Kubernetes %s", env.Cluster.Name(), info.KubernetesVersion)
	reqs = append(reqs, ctxReq)

	nsReq := Requirement{ID: IDNamespace, Name: "namespace " + ns}
	_, err = api.GetNamespace(ctx, ns)
	switch {
	case apierrors.IsNotFound(err):
		nsReq.Detail = "namespace " + ns + " does not exist"
		nsReq.Fix = "ask the cluster's admin, or `kubectl create namespace " + ns + "`; or set [prod] namespace"
		reqs = append(reqs, nsReq)
		return secretsBlocked("needs the namespace")
	case err != nil:
		nsReq.Detail = "cannot read it: " + oneLine(err.Error())
		nsReq.Fix = "check your permissions in the cluster"
		reqs = append(reqs, nsReq)
		return secretsBlocked("needs the namespace")
	}
	nsReq.Ready, nsReq.Detail = true, "exists"
	reqs = append(reqs, nsReq)

	if len(secrets) == 0 {
		return append(reqs, secretsNone())
	}
	names := make([]string, len(secrets))
	for i, s := range secrets {
		names[i] = s.name
	}
	missing, err := kube.MissingSecrets(ctx, api, ns, names)
	for _, s := range secrets {
		q := Requirement{ID: SecretID(s.name), Name: "secret " + s.name}
		switch {
		case err != nil:
			q.Detail, q.Fix = "cannot read it: "+oneLine(err.Error()), "check your permissions in the cluster"
		case slices.Contains(missing, s.name):
			q.Detail, q.Fix, q.Remedy = s.where+"; missing in namespace "+ns, s.fix, s.remedy
		default:
			q.Ready, q.Detail = true, s.where+"; exists in namespace "+ns
		}
		reqs = append(reqs, q)
	}
	return reqs
}

func sortedNames(m map[string][]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// shortDigest is a digest as people read it: sha256: and 12 hex digits.
func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}

// splitRef splits name[:tag][@digest].
func splitRef(ref string) (name, tag, digest string) {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref, digest = ref[:i], ref[i+1:]
	}
	name = ref
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		name, tag = ref[:i], ref[i+1:]
	}
	return name, tag, digest
}
