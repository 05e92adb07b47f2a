// Package docker is gaiaflow's only door to the Docker Engine. Everything
// that imports github.com/docker/docker lives here, so moving to its
// successor module touches one package.
package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/client"

	"github.com/gaiaflow/gaiaflow/services/registry"
)

// Client talks to one Docker engine with API version negotiation.
type Client struct {
	api *client.Client
	// Host is the engine address in use and HostSource says where it came from
	// (DOCKER_HOST, a docker context, or the platform default).
	Host, HostSource string

	mu      sync.Mutex
	version string // the negotiated API version, once known
}

// Getenv is how configuration reads the environment (os.Getenv in production).
type Getenv func(string) string

// ResolveHost picks the engine address the way the docker CLI does:
// DOCKER_HOST, else the endpoint of the current docker context
// (DOCKER_CONTEXT or ~/.docker/config.json's currentContext), else the
// platform's default socket.
func ResolveHost(getenv Getenv) (host, source string, err error) {
	if h := getenv("DOCKER_HOST"); h != "" {
		return h, "DOCKER_HOST", nil
	}
	cfgDir := registry.ConfigDir(getenv)
	name := getenv("DOCKER_CONTEXT")
	if name == "" {
		var cfg struct {
			CurrentContext string `json:"currentContext"`
		}
		data, err := os.ReadFile(filepath.Join(cfgDir, "config.json"))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return "", "", fmt.Errorf("read docker config: %w", err)
		default:
			if err := json.Unmarshal(data, &cfg); err != nil {
				return "", "", fmt.Errorf("read docker config %s: %w", filepath.Join(cfgDir, "config.json"), err)
			}
			name = cfg.CurrentContext
		}
	}
	if name != "" && name != "default" {
		sum := sha256.Sum256([]byte(name))
		meta := filepath.Join(cfgDir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json")
		data, err := os.ReadFile(meta)
		if err != nil {
			return "", "", fmt.Errorf("docker context %q: %w", name, err)
		}
		var m struct {
			Endpoints map[string]struct {
				Host string `json:"Host"`
			} `json:"Endpoints"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			return "", "", fmt.Errorf("docker context %q: %w", name, err)
		}
		if h := m.Endpoints["docker"].Host; h != "" {
			return h, "docker context " + name, nil
		}
		return "", "", fmt.Errorf("docker context %q has no docker endpoint", name)
	}
	if runtime.GOOS == "windows" {
		return "npipe:////./pipe/docker_engine", "default", nil
	}
	return "unix:///var/run/docker.sock", "default", nil
}

// New builds a client. It does not connect: the first call does.
func New(getenv Getenv) (*Client, error) {
	host, source, err := ResolveHost(getenv)
	if err != nil {
		return nil, err
	}
	// FromEnv is not used on purpose: a stale DOCKER_API_VERSION in the
	// environment would pin an API version and defeat negotiation.
	opts := []client.Opt{client.WithHost(host), client.WithAPIVersionNegotiation()}
	if source == "DOCKER_HOST" && getenv("DOCKER_CERT_PATH") != "" {
		opts = append(opts, client.WithTLSClientConfigFromEnv())
	}
	api, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", host, err)
	}
	return &Client{api: api, Host: host, HostSource: source}, nil
}

// Close releases the client's connections.
func (c *Client) Close() error { return c.api.Close() }

// EngineInfo is what doctor and version report about the engine.
type EngineInfo struct {
	Version       string `json:"version"`
	APIVersion    string `json:"api_version"`     // the newest API the engine speaks
	MinAPIVersion string `json:"min_api_version"` // the oldest
	// ClientAPIVersion is the version gaiaflow and the engine agreed on: the
	// engine's, or gaiaflow's newest when the engine is newer.
	ClientAPIVersion string `json:"client_api_version"`
	OS               string `json:"os"`
	Arch             string `json:"arch"`
	NCPU             int    `json:"ncpu"`
	MemTotal         int64  `json:"mem_total"`
	// ImageStore is where the engine keeps images: "containerd" (the
	// containerd image store, Docker 29's default and Docker Desktop's) or
	// "graphdriver" (the classic stores); StorageDriver names the snapshotter
	// or graph driver (overlayfs, overlay2, ...).
	ImageStore    string `json:"image_store,omitempty"`
	StorageDriver string `json:"storage_driver,omitempty"`
	// DefaultBuilder is the builder the engine's own clients use by default:
	// "buildkit" or "classic". gaiaflow always asks for the classic one.
	DefaultBuilder string `json:"default_builder,omitempty"`
}

// Image stores (EngineInfo.ImageStore).
const (
	ImageStoreContainerd  = "containerd"
	ImageStoreGraphDriver = "graphdriver"
)

// Info asks the engine for its version and resources.
func (c *Client) Info(ctx context.Context) (EngineInfo, error) {
	v, err := c.api.ServerVersion(ctx)
	if err != nil {
		return EngineInfo{}, fmt.Errorf("reach the Docker engine at %s: %w", c.Host, err)
	}
	info := EngineInfo{Version: v.Version, APIVersion: v.APIVersion, MinAPIVersion: v.MinAPIVersion, OS: v.Os, Arch: v.Arch}
	if ping, err := c.api.Ping(ctx); err == nil {
		info.ClientAPIVersion = c.negotiate(ping)
		info.DefaultBuilder = builderName(ping.BuilderVersion)
	}
	if si, err := c.api.Info(ctx); err == nil {
		info.NCPU, info.MemTotal = si.NCPU, si.MemTotal
		info.StorageDriver = si.Driver
		info.ImageStore = imageStore(si.DriverStatus)
	}
	return info, nil
}

// imageStore tells the containerd image store from a graph driver by the
// storage driver's status, as the docker CLI does: under the containerd store
// it carries ("driver-type", "io.containerd.snapshotter.v1").
func imageStore(status [][2]string) string {
	for _, kv := range status {
		if kv[0] == "driver-type" && strings.HasPrefix(kv[1], "io.containerd.snapshotter") {
			return ImageStoreContainerd
		}
	}
	return ImageStoreGraphDriver
}

func builderName(v build.BuilderVersion) string {
	switch v {
	case build.BuilderBuildKit:
		return "buildkit"
	case build.BuilderV1:
		return "classic"
	}
	return ""
}

// negotiate records the API version the engine answered a ping with and
// returns the version the client speaks from now on.
func (c *Client) negotiate(ping types.Ping) string {
	c.api.NegotiateAPIVersionPing(ping)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version = c.api.ClientVersion()
	return c.version
}

// apiVersion is the negotiated API version; the first call asks the engine.
func (c *Client) apiVersion(ctx context.Context) (string, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v != "" {
		return v, nil
	}
	ping, err := c.api.Ping(ctx)
	if err != nil {
		return "", fmt.Errorf("reach the Docker engine at %s: %w", c.Host, err)
	}
	return c.negotiate(ping), nil
}

// supports reports whether the negotiated API is at least min.
func (c *Client) supports(ctx context.Context, min string) (bool, error) {
	v, err := c.apiVersion(ctx)
	if err != nil {
		return false, err
	}
	return versions.GreaterThanOrEqualTo(v, min), nil
}
