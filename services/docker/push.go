package docker

import (
	"context"
	"encoding/json"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	regtypes "github.com/docker/docker/api/types/registry"
	"github.com/docker/docker/pkg/jsonmessage"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/registry"
)

// PushImage pushes ref (a tagged name the engine has) to its registry with
// creds, calling onProgress for each layer's progress, and returns the
// digest of the manifest the registry now holds under that tag.
//
// The credentials travel only in the X-Registry-Auth header of the one
// request to the engine: never in an error, a message or an argument. A
// registry that refuses them gives one line wrapping registry.ErrDenied,
// with docker login as the hint.
func (c *Client) PushImage(ctx context.Context, ref string, creds registry.Credentials, onProgress func(PullProgress)) (string, error) {
	r, err := registry.ParseReference(ref)
	if err != nil {
		return "", err
	}
	if r.Digest != "" {
		return "", errs.Usagef("push NAME:TAG; the registry gives the digest", "push %s: a reference with a digest cannot be pushed", ref)
	}
	action := "push " + ref
	auth, err := regtypes.EncodeAuthConfig(regtypes.AuthConfig{
		Username:      creds.Username,
		Password:      creds.Password,
		IdentityToken: creds.IdentityToken,
		ServerAddress: registry.CredentialKey(r.Host),
	})
	if err != nil {
		return "", errs.Failf("", "%s: encode the credentials for the engine", action) // never the cause: it may quote them
	}
	rc, err := c.api.ImagePush(ctx, ref, image.PushOptions{RegistryAuth: auth})
	switch {
	case cerrdefs.IsNotFound(err):
		return "", noSuchImage(action, ref)
	case err != nil:
		return "", errs.Wrap(errs.Failure, err, "", "%s", action)
	}
	defer rc.Close()
	var digest string
	var failed error // the engine's own account of a failed push
	err = eachMessage(ctx, rc, func(m *jsonmessage.JSONMessage) error {
		if m.Error != nil {
			failed = pushError(action, ref, r.Host, creds.Anonymous(), m.Error.Message)
			return failed
		}
		if m.Aux != nil {
			var aux struct {
				Digest string `json:"Digest"`
			}
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.Digest != "" {
				digest = aux.Digest
			}
			return nil
		}
		if d := pushedDigest(m, r.Tag); d != "" && digest == "" {
			digest = d
		}
		if onProgress != nil && m.Status != "" {
			p := PullProgress{Layer: m.ID, Status: m.Status}
			if m.Progress != nil {
				p.Current, p.Total = m.Progress.Current, m.Progress.Total
			}
			onProgress(p)
		}
		return nil
	})
	switch {
	case failed != nil:
		return "", failed
	case err != nil && ctx.Err() != nil:
		return "", err
	case err != nil:
		return "", errs.Wrap(errs.Failure, err, "", "%s", action)
	}
	if digest == "" {
		return "", errs.Failf("", "%s: the engine finished without reporting the pushed digest", action)
	}
	return digest, nil
}

// pushedDigest reads the line every engine ends a good push with, "TAG:
// digest: sha256:... size: N". Engine 29 with the containerd image store
// reports the digest only there; 20.10 also sends it as an aux message.
func pushedDigest(m *jsonmessage.JSONMessage, tag string) string {
	rest, ok := strings.CutPrefix(m.Status, tag+": digest: ")
	if m.ID != "" || !ok {
		return ""
	}
	d, _, _ := strings.Cut(rest, " ")
	if !strings.HasPrefix(d, "sha256:") {
		return ""
	}
	return d
}

// pushError puts the engine's failure in one line. A refusal of the
// credentials is told apart by the registry's words, which the engine
// passes on only as text (the distribution spec's UNAUTHORIZED and DENIED
// errors, HTTP's 401 and 403); the comments quote what the engines said
// against the test registry (testdata/engine-streams).
func pushError(action, ref, host string, anonymous bool, msg string) error {
	lower := strings.ToLower(msg)
	// 20.10 and 29 say it in the stream, not as a 404: "An image does not
	// exist locally with the tag: NAME" (20.10), "tag does not exist: REF" (29).
	if strings.Contains(lower, "does not exist locally") || strings.HasPrefix(lower, "tag does not exist:") {
		return noSuchImage(action, ref)
	}
	refused := strings.HasPrefix(lower, "denied:") // "denied: requested access to the resource is denied" (20.10)
	for _, sign := range []string{
		"unauthorized",              // "unauthorized: authentication required" (20.10), "...: 401 Unauthorized" (29)
		"no basic auth credentials", // a Basic challenge and nothing to answer it with
		"403 forbidden",
		"authentication required -", // a token service's refusal, as 29 words it: "authentication required - DETAILS"
		"push access denied,",       // no token for the push scope (29): "push access denied, repository does not exist or may require authorization: ..."
	} {
		refused = refused || strings.Contains(lower, sign)
	}
	if refused {
		return registry.DeniedCredentials(action, host, anonymous)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(msg), "\n")
	return errs.Failf("", "%s: %s", action, first)
}

func noSuchImage(action, ref string) error {
	return errs.Failf("build the image first", "%s: the engine has no image %s", action, ref)
}

// TagImage gives the image source (a name or id the engine has) a second
// name, target; the image itself is not copied.
func (c *Client) TagImage(ctx context.Context, source, target string) error {
	err := c.api.ImageTag(ctx, source, target)
	switch {
	case cerrdefs.IsNotFound(err):
		return noSuchImage("tag "+source+" as "+target, source)
	case err != nil:
		return errs.Wrap(errs.Failure, err, "", "tag %s as %s", source, target)
	}
	return nil
}
