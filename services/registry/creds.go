package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Credentials are what a registry login leaves: a user name and password, or
// an identity token (an OAuth refresh token some registries hand out instead
// of keeping the password). The zero value is anonymous.
//
// They print as the user name only, so a stray %v never shows a secret.
type Credentials struct {
	Username      string
	Password      string
	IdentityToken string
}

// Anonymous reports whether there is nothing to authenticate with.
func (c Credentials) Anonymous() bool {
	return c.Username == "" && c.Password == "" && c.IdentityToken == ""
}

// String names the account, never the secret.
func (c Credentials) String() string {
	switch {
	case c.Anonymous():
		return "anonymous"
	case c.IdentityToken != "":
		return "identity token"
	}
	return "user " + c.Username
}

// GoString is String, so %#v is as safe as %v.
func (c Credentials) GoString() string { return c.String() }

// CredentialStore gives the credentials for a registry host (as in
// Reference.Host). Anonymous credentials and a nil error mean none are kept.
type CredentialStore interface {
	Credentials(ctx context.Context, host string) (Credentials, error)
}

// DockerConfig is the docker CLI's credential store: config.json's
// credHelpers for the registry, else its credsStore, else its auths entry.
// A missing file means anonymous.
type DockerConfig struct {
	// File is the config.json to read.
	File string
	// Path is the list of directories credential helpers are looked up in,
	// as in $PATH (a helper runs with this process's environment).
	Path string
}

// ConfigDir is the docker CLI's configuration directory: $DOCKER_CONFIG,
// else ~/.docker.
func ConfigDir(getenv func(string) string) string {
	if dir := getenv("DOCKER_CONFIG"); dir != "" {
		return dir
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".docker")
}

// DockerConfigFromEnv is the store the docker CLI would use in this
// environment (os.Getenv in production).
func DockerConfigFromEnv(getenv func(string) string) DockerConfig {
	return DockerConfig{File: filepath.Join(ConfigDir(getenv), "config.json"), Path: getenv("PATH")}
}

// configFile is the part of config.json about credentials.
type configFile struct {
	Auths       map[string]authEntry `json:"auths"`
	CredsStore  string               `json:"credsStore"`
	CredHelpers map[string]string    `json:"credHelpers"`
}

type authEntry struct {
	Auth          string `json:"auth"` // base64 of user:password
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
}

// Credentials returns the credentials kept for host. A credential helper
// answering "credentials not found" means anonymous, as for the docker CLI.
func (d DockerConfig) Credentials(ctx context.Context, host string) (Credentials, error) {
	data, err := os.ReadFile(d.File)
	if errors.Is(err, fs.ErrNotExist) {
		return Credentials{}, nil
	}
	if err != nil {
		return Credentials{}, errs.Wrap(errs.Failure, err, "check the file's permissions", "read docker config %s", d.File)
	}
	var cfg configFile
	if err := json.Unmarshal(data, &cfg); err != nil {
		// The decoder's words name a position or a type, never the content.
		return Credentials{}, errs.Failf("fix the JSON in "+d.File+", or move it aside and run docker login again",
			"docker config %s is not valid: %v", d.File, err)
	}
	key := CredentialKey(host)
	if helper, setting := cfg.helperFor(key); helper != "" {
		return d.fromHelper(ctx, helper, setting, key)
	}
	entry, ok := cfg.Auths[key]
	if !ok {
		// Older docker versions filed entries under URLs: https://host/v1/.
		for k, e := range cfg.Auths {
			if hostOf(k) == key {
				entry, ok = e, true
				break
			}
		}
	}
	if !ok {
		return Credentials{}, nil
	}
	c := Credentials{Username: entry.Username, Password: entry.Password, IdentityToken: entry.IdentityToken}
	if entry.Auth != "" {
		user, pass, err := decodeAuth(entry.Auth)
		if err != nil {
			return Credentials{}, errs.Failf("run docker login "+host+" again, or fix auths in "+d.File,
				"docker config %s: the auth of %s is not valid: %v", d.File, key, err)
		}
		c.Username, c.Password = user, pass
	}
	return c, nil
}

// helperFor returns the credential helper for key and the setting that named it.
func (c configFile) helperFor(key string) (helper, setting string) {
	if h, ok := c.CredHelpers[key]; ok && h != "" {
		return h, "credHelpers"
	}
	return c.CredsStore, "credsStore"
}

// hostOf turns a legacy key (https://host/v1/) into host[:port].
func hostOf(key string) string {
	if strings.Contains(key, "://") {
		if u, err := url.Parse(key); err == nil && u.Hostname() != "" {
			if u.Port() == "" {
				return u.Hostname()
			}
			return net.JoinHostPort(u.Hostname(), u.Port())
		}
	}
	h, _, _ := strings.Cut(key, "/")
	return h
}

func decodeAuth(s string) (user, pass string, err error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", "", err
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" {
		return "", "", errors.New("it is not base64 of user:password")
	}
	return user, strings.Trim(pass, "\x00"), nil
}

// helperNotFound is what every credential helper prints when it has nothing
// for the server (docker-credential-helpers' errCredentialsNotFoundMessage).
const helperNotFound = "credentials not found in native keychain"

// helperIdentityToken is the user name a helper stores an identity token under.
const helperIdentityToken = "<token>"

// fromHelper runs docker-credential-<helper> get with the server's key on
// stdin — never in its arguments — and reads the JSON it prints.
func (d DockerConfig) fromHelper(ctx context.Context, helper, setting, key string) (Credentials, error) {
	program := "docker-credential-" + helper
	if strings.ContainsAny(helper, `/\`) || helper == "." || helper == ".." {
		return Credentials{}, errs.Failf("set "+setting+" in "+d.File+" to a helper's name, such as pass or secretservice",
			"docker config %s: %s names no credential helper: %q", d.File, setting, helper)
	}
	bin := lookPath(program, d.Path)
	if bin == "" {
		return Credentials{}, errs.Failf("install "+program+", or remove "+setting+" from "+d.File,
			"the credential helper %s (%s in %s) is not on PATH", program, setting, d.File)
	}
	cmd := exec.CommandContext(ctx, bin, "get")
	cmd.Stdin = strings.NewReader(key)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Credentials{}, ctx.Err()
		}
		said := strings.TrimSpace(stdout.String())
		if said == helperNotFound {
			return Credentials{}, nil
		}
		if said == "" {
			said = strings.TrimSpace(stderr.String())
		}
		return Credentials{}, errs.Failf("run docker login "+hostOf(key)+", or check "+program,
			"the credential helper %s failed for %s: %s", program, hostOf(key), helperMessage(said, err))
	}
	var out struct {
		Username string `json:"Username"`
		Secret   string `json:"Secret"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		// Not the output itself: it may hold the secret.
		return Credentials{}, errs.Failf("check "+program+": it should print {\"Username\":...,\"Secret\":...}",
			"the credential helper %s answered for %s with something other than credentials", program, hostOf(key))
	}
	if out.Username == helperIdentityToken {
		return Credentials{IdentityToken: out.Secret}, nil
	}
	return Credentials{Username: out.Username, Password: out.Secret}, nil
}

// helperMessage keeps a failing helper's own words short and on one line.
func helperMessage(said string, err error) string {
	if said == "" {
		return err.Error()
	}
	said, _, _ = strings.Cut(said, "\n")
	if len(said) > 200 {
		said = said[:200] + "…"
	}
	return said
}

// lookPath finds program in the directories of path (os.PathListSeparator
// separated), or in $PATH when path is empty; "" when it is nowhere.
func lookPath(program, path string) string {
	if path == "" {
		p, err := exec.LookPath(program)
		if err != nil {
			return ""
		}
		return p
	}
	names := []string{program}
	if runtime.GOOS == "windows" {
		names = []string{program + ".exe", program + ".cmd", program + ".bat"}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		for _, name := range names {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && (runtime.GOOS == "windows" || st.Mode().Perm()&0o111 != 0) {
				return p
			}
		}
	}
	return ""
}
