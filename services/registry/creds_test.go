package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// writeConfig writes a config.json into a fresh directory and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestDockerConfigFileAuths(t *testing.T) {
	ctx := context.Background()
	file := writeConfig(t, `{
		"auths": {
			"https://index.docker.io/v1/": {"auth": "`+b64("hubuser:hub-pass")+`"},
			"https://legacy.example.com:5000/v1/": {"auth": "`+b64("old:old-pass")+`"},
			"tokens.example.com": {"identitytoken": "refresh-123"},
			"plain.example.com": {"username": "u", "password": "p:with:colons"},
			"colon.example.com": {"auth": "`+b64("u:pa:ss")+`"},
			"empty.example.com": {}
		}
	}`)
	d := DockerConfig{File: file}
	for host, want := range map[string]Credentials{
		"docker.io":               {Username: "hubuser", Password: "hub-pass"},
		"legacy.example.com:5000": {Username: "old", Password: "old-pass"},
		"tokens.example.com":      {IdentityToken: "refresh-123"},
		"plain.example.com":       {Username: "u", Password: "p:with:colons"},
		"colon.example.com":       {Username: "u", Password: "pa:ss"},
		"empty.example.com":       {},
		"other.example.com":       {},
		"legacy.example.com":      {}, // a different port is a different registry
	} {
		got, err := d.Credentials(ctx, host)
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		if got != want {
			t.Errorf("%s: got %s %q/%q/%q, want %q/%q/%q", host, got, got.Username, got.Password, got.IdentityToken,
				want.Username, want.Password, want.IdentityToken)
		}
	}
}

func TestDockerConfigMissingFileIsAnonymous(t *testing.T) {
	d := DockerConfig{File: filepath.Join(t.TempDir(), "nope", "config.json")}
	got, err := d.Credentials(context.Background(), "docker.io")
	if err != nil || !got.Anonymous() {
		t.Fatalf("got %v, %v; want anonymous and no error", got, err)
	}
}

func TestDockerConfigMalformed(t *testing.T) {
	ctx := context.Background()
	for name, body := range map[string]string{
		"syntax":      `{"auths": {"r.example.com": {"auth": "` + b64("u:TOPSECRET") + `"}},,}`,
		"wrong type":  `{"auths": {"r.example.com": {"auth": 12}}, "note": "TOPSECRET"}`,
		"bad base64":  `{"auths": {"r.example.com": {"auth": "TOPSECRET!!"}}}`,
		"no colon":    `{"auths": {"r.example.com": {"auth": "` + b64("TOPSECRET") + `"}}}`,
		"no username": `{"auths": {"r.example.com": {"auth": "` + b64(":TOPSECRET") + `"}}}`,
	} {
		file := writeConfig(t, body)
		_, err := DockerConfig{File: file}.Credentials(ctx, "r.example.com")
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, file) || strings.Contains(msg, "\n") || errs.HintOf(err) == "" {
			t.Errorf("%s: want one line naming %s with a hint, got %q (hint %q)", name, file, msg, errs.HintOf(err))
		}
		if strings.Contains(msg, "TOPSECRET") || strings.Contains(errs.HintOf(err), "TOPSECRET") {
			t.Errorf("%s: the error shows the file's content: %q", name, msg)
		}
	}
}

// helperScript writes docker-credential-<name> into dir: it records its
// arguments and what it read on stdin, and answers like a real helper.
func helperScript(t *testing.T, dir, name string) (argvLog, stdinLog string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the test's credential helper is a shell script")
	}
	argvLog, stdinLog = filepath.Join(dir, name+".argv"), filepath.Join(dir, name+".stdin")
	script := fmt.Sprintf(`#!/bin/sh
printf '%%s\n' "$*" >> %[1]q
server=$(cat)
printf '%%s\n' "$server" >> %[2]q
case "$server" in
127.0.0.1:5000) printf '{"ServerURL":"%%s","Username":"alice","Secret":"helper-secret-1"}\n' "$server" ;;
https://index.docker.io/v1/) printf '{"ServerURL":"%%s","Username":"<token>","Secret":"helper-refresh-2"}\n' "$server" ;;
locked.example.com) echo "the keyring is locked"; exit 1 ;;
garbage.example.com) echo "helper-secret-3 is not JSON" ;;
*) echo "credentials not found in native keychain"; exit 1 ;;
esac
`, argvLog, stdinLog)
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-"+name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return argvLog, stdinLog
}

// Real helper executables on a PATH of the test's own: the server goes in
// on stdin, never in the arguments, and the answer becomes the credentials.
func TestDockerConfigCredentialHelpers(t *testing.T) {
	ctx := context.Background()
	bin := t.TempDir()
	storeArgv, storeStdin := helperScript(t, bin, "teststore")
	perHostArgv, _ := helperScript(t, bin, "perhost")
	file := writeConfig(t, `{
		"credsStore": "teststore",
		"credHelpers": {"127.0.0.1:5000": "perhost", "missing.example.com": "absent", "slash.example.com": "../bin/x"},
		"auths": {"127.0.0.1:5000": {"auth": "`+b64("file:file-pass")+`"}, "other.example.com": {"auth": "`+b64("file:file-pass")+`"}}
	}`)
	d := DockerConfig{File: file, Path: bin}

	got, err := d.Credentials(ctx, "127.0.0.1:5000")
	if err != nil || got != (Credentials{Username: "alice", Password: "helper-secret-1"}) {
		t.Errorf("credHelpers: got %s, %v; want alice from the per-host helper", got, err)
	}
	got, err = d.Credentials(ctx, "docker.io")
	if err != nil || got != (Credentials{IdentityToken: "helper-refresh-2"}) {
		t.Errorf("credsStore for Docker Hub: got %s, %v; want an identity token", got, err)
	}
	// The store has nothing: anonymous, not the auths entry, as with docker.
	got, err = d.Credentials(ctx, "other.example.com")
	if err != nil || !got.Anonymous() {
		t.Errorf("not found: got %s, %v; want anonymous", got, err)
	}

	for _, tc := range []struct {
		host, want, hint string
	}{
		{"locked.example.com", "docker-credential-teststore failed for locked.example.com: the keyring is locked", "docker login locked.example.com"},
		{"garbage.example.com", "docker-credential-teststore answered for garbage.example.com with something other than credentials", "docker-credential-teststore"},
		{"slash.example.com", `credHelpers names no credential helper: "../bin/x"`, "set credHelpers in " + file},
		{"missing.example.com", "docker-credential-absent (credHelpers in " + file + ") is not on PATH", "install docker-credential-absent"},
	} {
		_, err := d.Credentials(ctx, tc.host)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(errs.HintOf(err), tc.hint) {
			t.Errorf("%s: got %v (hint %q), want %q with hint %q", tc.host, err, errs.HintOf(err), tc.want, tc.hint)
		}
		if err != nil && strings.Contains(err.Error(), "helper-secret") {
			t.Errorf("%s: the error shows the helper's output: %v", tc.host, err)
		}
	}

	for log, want := range map[string]string{
		storeArgv:   "get\nget\nget\nget\n",
		perHostArgv: "get\n",
		storeStdin:  "https://index.docker.io/v1/\nother.example.com\nlocked.example.com\ngarbage.example.com\n",
	} {
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != want {
			t.Errorf("%s = %q, want %q", filepath.Base(log), data, want)
		}
	}
}

func TestCredentialsNeverPrintTheSecret(t *testing.T) {
	for _, c := range []Credentials{
		{Username: "alice", Password: "pw-SECRET"},
		{IdentityToken: "tok-SECRET"},
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if out := fmt.Sprintf(verb, c); strings.Contains(out, "SECRET") {
				t.Errorf("%s prints %q", verb, out)
			}
			if out := fmt.Sprintf(verb, &c); strings.Contains(out, "SECRET") {
				t.Errorf("%s of a pointer prints %q", verb, out)
			}
		}
	}
}
