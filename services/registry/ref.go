package registry

import (
	"net"
	"strings"

	"github.com/distribution/reference"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// dockerHub is the host a reference without one means, as people write it.
const dockerHub = "docker.io"

// dockerHubAPI is where Docker Hub's registry API answers: docker.io itself
// only redirects browsers.
const dockerHubAPI = "registry-1.docker.io"

// dockerHubKey is the key the docker CLI files Docker Hub's credentials under.
const dockerHubKey = "https://index.docker.io/v1/"

// Reference is an image reference split into what the registry API needs.
type Reference struct {
	// Host is the registry as people name it: docker.io for Docker Hub,
	// else host[:port] as written.
	Host string
	// Repository is the image's path in the registry: library/python for
	// the official image python.
	Repository string
	// Tag is the tag; latest when the reference names neither tag nor digest.
	Tag string
	// Digest pins the manifest (sha256:...); when set it wins over Tag.
	Digest string
}

// ParseReference reads an image reference the way docker does: a name
// without a registry is on Docker Hub, an official image there is under
// library/, and a reference with neither tag nor digest means :latest.
func ParseReference(s string) (Reference, error) {
	named, err := reference.ParseNormalizedNamed(strings.TrimSpace(s))
	if err != nil {
		return Reference{}, errs.Usagef("write it as [REGISTRY/]NAME[:TAG][@DIGEST], e.g. registry.example.com/team/app:0.1.0",
			"image reference %q is not valid: %v", s, err)
	}
	r := Reference{Host: reference.Domain(named), Repository: reference.Path(named)}
	if d, ok := named.(reference.Digested); ok {
		r.Digest = d.Digest().String()
	}
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	return r, nil
}

// Name is host/repository, without tag or digest.
func (r Reference) Name() string { return r.Host + "/" + r.Repository }

// String is the full reference: host/repository[:tag][@digest].
func (r Reference) String() string {
	s := r.Name()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// WithDigest returns the reference pinned to digest, tag kept for people to
// read: what a cluster should pull once the digest is known.
func (r Reference) WithDigest(digest string) Reference {
	r.Digest = digest
	return r
}

// manifestID is what the manifest endpoint is asked for: the digest when
// pinned, else the tag.
func (r Reference) manifestID() string {
	if r.Digest != "" {
		return r.Digest
	}
	return r.Tag
}

// endpoint is the host:port the registry API answers on.
func (r Reference) endpoint() string {
	if r.Host == dockerHub {
		return dockerHubAPI
	}
	return r.Host
}

// CredentialKey is the key the docker CLI files a registry's credentials
// under (in config.json, and what it asks credential helpers for):
// https://index.docker.io/v1/ for Docker Hub, the host[:port] otherwise.
func CredentialKey(host string) string {
	if host == dockerHub {
		return dockerHubKey
	}
	return host
}

// IsLoopback reports whether a registry host (host or host:port) is on this
// machine: localhost, 127.0.0.0/8 or ::1. Only these may be asked over plain
// HTTP, as the Docker engine does by default.
func IsLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
