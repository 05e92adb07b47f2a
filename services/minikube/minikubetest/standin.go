// Package minikubetest provides a stand-in `minikube` executable for tests:
// no cluster can run on our machines. The stand-in is a shell script written
// into a temporary directory that a test puts first on PATH. It records every
// call (its arguments and the KUBECONFIG it saw) and answers from files the
// test sets with Answer, filled from recorded minikube output in testdata/.
//
// Like the real minikube, `start` and `update-context` write the profile's
// kubeconfig to the first file of KUBECONFIG, else to $HOME/.kube/config, so
// a test can prove gaiaflow never lets minikube near ~/.kube/config.
package minikubetest

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

//go:embed testdata
var testdata embed.FS

// Values substituted into the fixtures.
const (
	NodeIP = "192.168.58.2"
	HostIP = "192.168.58.1"
	// LinuxServer is the API server address minikube's kubeconfig holds on
	// Linux (the node on the docker network); ForwardedServer is the
	// forwarded port it holds on macOS and Windows.
	LinuxServer     = "https://" + NodeIP + ":8443"
	ForwardedServer = "https://127.0.0.1:52417"
)

const script = `#!/bin/sh
# gaiaflow test stand-in for minikube: records each call, answers from files.
dir='%s'
key=''
for a in "$@"; do
  case "$a" in -*) break ;; esac
  key="${key:+${key}_}$a"
done
{
  printf 'KUBECONFIG=%%s' "${KUBECONFIG-<unset>}"
  for a in "$@"; do printf '\t%%s' "$a"; done
  printf '\n'
} >>"$dir/calls.log"
r="$dir/answers/$key"
if [ ! -e "$r.code" ]; then
  echo "minikube stand-in: no answer for: $*" >&2
  exit 64
fi
if [ -s "$r.kubeconfig" ]; then
  target="${KUBECONFIG%%%%:*}"
  [ -n "$target" ] || target="$HOME/.kube/config"
  mkdir -p "$(dirname "$target")"
  cp "$r.kubeconfig" "$target"
fi
cat "$r.out"
cat "$r.err" >&2
code=$(cat "$r.code")
if [ -d "$r.after" ]; then cp -R "$r.after"/. "$dir/answers/"; fi
exit "$code"
`

// StandIn is one stand-in minikube.
type StandIn struct {
	// Bin is the directory holding the `minikube` script: put it first on PATH.
	Bin string
	// Profile is substituted for {{PROFILE}} in fixtures.
	Profile string
	// CertDir holds a CA and a client certificate and key (PEM) that the
	// kubeconfig fixtures name.
	CertDir string
	dir     string
	t       testing.TB
}

// Answer is what the stand-in does for one command (its leading words
// joined by "_": "status", "profile_list", "image_ls").
type Answer struct {
	Stdout, Stderr string
	Code           int
	// Kubeconfig, when set, is written where minikube would write it.
	Kubeconfig string
	// After replaces other answers once this one has been given, so that
	// `start` makes `status` report a running cluster.
	After map[string]Answer
}

// New writes a stand-in into a temporary directory. It has no answers yet.
func New(t testing.TB, profile string) *StandIn {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the minikube stand-in is a POSIX shell script")
	}
	dir := t.TempDir()
	s := &StandIn{Bin: filepath.Join(dir, "bin"), Profile: profile, CertDir: filepath.Join(dir, "certs"), dir: dir, t: t}
	for _, d := range []string{s.Bin, filepath.Join(dir, "answers"), s.CertDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.Bin, "minikube"), fmt.Appendf(nil, script, dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeCerts(s.CertDir); err != nil {
		t.Fatal(err)
	}
	return s
}

// Answer sets the answer for key.
func (s *StandIn) Answer(key string, a Answer) {
	s.t.Helper()
	s.write(filepath.Join(s.dir, "answers"), key, a)
}

func (s *StandIn) write(dir, key string, a Answer) {
	s.t.Helper()
	files := map[string]string{
		".out": a.Stdout, ".err": a.Stderr, ".code": strconv.Itoa(a.Code), ".kubeconfig": a.Kubeconfig,
	}
	for ext, body := range files {
		if err := os.WriteFile(filepath.Join(dir, key+ext), []byte(body), 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
	after := filepath.Join(dir, key+".after")
	if err := os.RemoveAll(after); err != nil {
		s.t.Fatal(err)
	}
	if len(a.After) > 0 {
		if err := os.MkdirAll(after, 0o755); err != nil {
			s.t.Fatal(err)
		}
		for k, next := range a.After {
			s.write(after, k, next)
		}
	}
}

// Call is one recorded run of the stand-in.
type Call struct {
	Args []string
	// Kubeconfig is the KUBECONFIG it ran with ("<unset>" when unset).
	Kubeconfig string
}

// Key is the call's command: its leading words joined by "_".
func (c Call) Key() string {
	var words []string
	for _, a := range c.Args {
		if strings.HasPrefix(a, "-") {
			break
		}
		words = append(words, a)
	}
	return strings.Join(words, "_")
}

// Calls returns the calls made so far.
func (s *StandIn) Calls() []Call {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir, "calls.log"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		s.t.Fatal(err)
	}
	var calls []Call
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		f := strings.Split(line, "\t")
		calls = append(calls, Call{Kubeconfig: strings.TrimPrefix(f[0], "KUBECONFIG="), Args: f[1:]})
	}
	return calls
}

// Keys returns the commands called so far, in order.
func (s *StandIn) Keys() []string {
	var keys []string
	for _, c := range s.Calls() {
		keys = append(keys, c.Key())
	}
	return keys
}

// Fixture returns a file from testdata/ with {{PROFILE}}, {{NODE_IP}},
// {{HOST_IP}} and the certificate placeholders filled in.
func (s *StandIn) Fixture(name string) string {
	s.t.Helper()
	data, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.fill(string(data))
}

func (s *StandIn) fill(text string) string {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(s.CertDir, name))
		if err != nil {
			s.t.Fatal(err)
		}
		return b
	}
	r := strings.NewReplacer(
		"{{PROFILE}}", s.Profile,
		"{{NODE_IP}}", NodeIP,
		"{{HOST_IP}}", HostIP,
		"{{CA_FILE}}", filepath.Join(s.CertDir, "ca.crt"),
		"{{CERT_FILE}}", filepath.Join(s.CertDir, "client.crt"),
		"{{KEY_FILE}}", filepath.Join(s.CertDir, "client.key"),
		"{{CA_DATA}}", b64(read("ca.crt")),
		"{{CERT_DATA}}", b64(read("client.crt")),
		"{{KEY_DATA}}", b64(read("client.key")),
	)
	return r.Replace(text)
}

// Kubeconfig returns a kubeconfig as minikube writes it for the profile,
// with the given server; embedded says whether certificates are inline
// (--embed-certs) or named by path.
func (s *StandIn) Kubeconfig(server string, embedded bool) string {
	name := "kubeconfig/paths.yaml"
	if embedded {
		name = "kubeconfig/embedded.yaml"
	}
	return strings.ReplaceAll(s.Fixture(name), "{{SERVER}}", server)
}

// CertPEM returns one of the generated PEM files: ca.crt, client.crt, client.key.
func (s *StandIn) CertPEM(name string) []byte {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.CertDir, name))
	if err != nil {
		s.t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}
