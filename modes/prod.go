package modes

import (
	"context"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// RegistryProbe tells whether an image reference exists in its registry.
// Nothing implements it yet; without one, the push cannot be confirmed.
type RegistryProbe interface {
	Pushed(ctx context.Context, ref string) (bool, error)
}

// CheckProd checks what tasks need to run as pods in a real cluster: a task
// image named in gaiaflow.toml (build.image) with a registry the user names
// and a tag other than latest, pushed to that registry.
func CheckProd(ctx context.Context, cfg *project.Config, registry RegistryProbe) []Requirement {
	ref := strings.TrimSpace(cfg.Build.Image)
	example := "registry.example.com/team/" + cfg.Package + ":0.1.0"
	if ref == "" {
		return []Requirement{
			{ID: IDTaskImage, Name: "task image", Detail: "build.image in gaiaflow.toml is not set", Fix: `set build.image = "` + example + `" in gaiaflow.toml`},
			{ID: IDRegistry, Name: "registry", Detail: "needs build.image", Fix: `set build.image = "` + example + `" in gaiaflow.toml`},
			{ID: IDTag, Name: "tag", Detail: "needs build.image", Fix: `set build.image = "` + example + `" in gaiaflow.toml`},
			{ID: IDPushed, Name: "pushed", Detail: "needs build.image", Fix: `set build.image = "` + example + `" in gaiaflow.toml`},
		}
	}
	reqs := []Requirement{{ID: IDTaskImage, Name: "task image", Ready: true, Detail: ref}}

	host, hasHost := registryHost(ref)
	if hasHost {
		reqs = append(reqs, Requirement{ID: IDRegistry, Name: "registry", Ready: true, Detail: host})
	} else {
		reqs = append(reqs, Requirement{ID: IDRegistry, Name: "registry", Detail: ref + " names no registry, so a cluster would look for it on Docker Hub",
			Fix: `name the registry in build.image, for example "` + example + `"`})
	}

	name, tag, digest := splitRef(ref)
	switch {
	case digest != "":
		reqs = append(reqs, Requirement{ID: IDTag, Name: "tag", Ready: true, Detail: "pinned by digest"})
	case tag == "" || tag == "latest":
		reqs = append(reqs, Requirement{ID: IDTag, Name: "tag", Detail: "the tag is latest, which names a different image after every push",
			Fix: `give build.image a version tag, for example "` + name + `:0.1.0"`})
	default:
		reqs = append(reqs, Requirement{ID: IDTag, Name: "tag", Ready: true, Detail: tag})
	}

	pushed := Requirement{ID: IDPushed, Name: "pushed", Fix: "docker push " + ref}
	switch {
	case registry == nil:
		pushed.Detail = "not verified: this version of gaiaflow cannot ask a registry yet"
	default:
		ok, err := registry.Pushed(ctx, ref)
		switch {
		case err != nil:
			pushed.Detail = "cannot ask the registry: " + err.Error()
		case !ok:
			pushed.Detail = ref + " is not in the registry"
		default:
			pushed.Ready, pushed.Fix, pushed.Detail = true, "", ref+" is in the registry"
		}
	}
	return append(reqs, pushed)
}

// registryHost returns the registry an image reference names explicitly.
func registryHost(ref string) (string, bool) {
	first, _, ok := strings.Cut(ref, "/")
	if !ok {
		return "", false
	}
	if strings.ContainsAny(first, ".:") || first == "localhost" {
		return first, true
	}
	return "", false
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
