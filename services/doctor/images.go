package doctor

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// imageTimeout bounds one registry request: a registry that does not answer
// makes its check "not checked", not a hung doctor.
const imageTimeout = 15 * time.Second

// checkImages checks every image the project's stack and task images start
// from (the defaults outside a project): present on the engine, or in its
// registry (one manifest request through the engine; nothing is pulled).
// An image named by several keys is checked once.
func checkImages(ctx context.Context, env Env, engineOK bool) []Check {
	cfg, _ := settings(env)
	var refs []string
	keys := map[string][]string{}
	add := func(key, ref string) {
		if ref == "" {
			return
		}
		if _, ok := keys[ref]; !ok {
			refs = append(refs, ref)
		}
		keys[ref] = append(keys[ref], key)
	}
	for _, name := range []string{"airflow", "mlflow", "minio", "jupyter"} {
		s, _ := cfg.Service(name)
		if !s.IsEnabled() {
			continue
		}
		add("services."+name+".image", s.Image)
		add("services."+name+".db_image", s.DBImage)
	}
	add("build.base_image", cfg.Build.BaseImage)

	out := make([]Check, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		out[i] = Check{Name: "image " + strings.Join(keys[ref], ", ")}
		if !engineOK || env.Engine == nil {
			out[i].Status, out[i].Detail = NotChecked, "not checked: "+ref+" (no Docker engine to ask)"
			continue
		}
		wg.Add(1)
		go func(c *Check, ref, key string) {
			defer wg.Done()
			checkImage(ctx, env.Engine, c, ref, key)
		}(&out[i], ref, keys[ref][0])
	}
	wg.Wait()
	return out
}

func checkImage(ctx context.Context, e Engine, c *Check, ref, key string) {
	ctx, cancel := context.WithTimeout(ctx, imageTimeout)
	defer cancel()
	if info, found, err := e.InspectImage(ctx, ref); err == nil && found {
		c.Status, c.Detail = OK, ref+": present on the engine ("+shortDigest(info.ID)+")"
		return
	}
	digest, err := e.RegistryDigest(ctx, ref)
	switch {
	case err == nil:
		c.Status, c.Detail = OK, ref+": in its registry ("+shortDigest(digest)+"), pulled at the first start"
	case errors.Is(err, docker.ErrNotInRegistry):
		c.Status, c.Detail = Fail, ref+": its registry has no such image"
		c.Hint = "set " + key + " in gaiaflow.toml to a published tag (the defaults and where each was seen: docs/images.md)"
	case errors.Is(err, docker.ErrRegistryDenied):
		c.Status, c.Detail = NotChecked, ref+": not checked: the registry refused an anonymous request"
		c.Hint = "log in to that registry (docker login) if the image is private, or check the name in " + key
	default:
		cause := err
		if u := errors.Unwrap(err); u != nil {
			cause = u // the engine's words, without our "ask the registry for ref"
		}
		c.Status, c.Detail = NotChecked, ref+": not checked: no registry answered ("+firstLine(cause.Error())+")"
		c.Hint = "without a registry, load the image into the engine (docker load) or point " + key + " at one it has"
	}
}

// shortDigest keeps a digest or image id readable: its algorithm and 12 hex digits.
func shortDigest(d string) string {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) < 12 {
		return d
	}
	return alg + ":" + hex[:12]
}
