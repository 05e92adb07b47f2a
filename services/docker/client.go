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

	"github.com/docker/docker/client"

	"github.com/gaiaflow/gaiaflow/services/registry"
)

// Client talks to one Docker engine with API version negotiation.
type Client struct {
	api *client.Client
	// Host is the engine address in use and HostSource says where it came from
	// (DOCKER_HOST, a docker context, or the platform default).
	Host, HostSource string
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
	Version    string `json:"version"`
	APIVersion string `json:"api_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	NCPU       int    `json:"ncpu"`
	MemTotal   int64  `json:"mem_total"`
}

// Info asks the engine for its version and resources.
func (c *Client) Info(ctx context.Context) (EngineInfo, error) {
	v, err := c.api.ServerVersion(ctx)
	if err != nil {
		return EngineInfo{}, fmt.Errorf("reach the Docker engine at %s: %w", c.Host, err)
	}
	info := EngineInfo{Version: v.Version, APIVersion: v.APIVersion, OS: v.Os, Arch: v.Arch}
	if si, err := c.api.Info(ctx); err == nil {
		info.NCPU, info.MemTotal = si.NCPU, si.MemTotal
	}
	return info, nil
}
