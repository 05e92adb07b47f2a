package kube

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"github.com/gaiaflow/gaiaflow/services/minikube/minikubetest"
)

// fakeAPIServer is a fake API server: it plays a Kubernetes API server for
// the core/v1 calls gaiaflow makes (/version, nodes, pods, secrets), over
// TLS, with objects kept in memory and a real API server's answers: Status
// bodies for errors, 401 without credentials, 409 on a stale
// resourceVersion. No cluster can run on our machines; this lets the real
// client, from kubeconfig to decoded object, be tested end to end.
//
// It authenticates a request by a client certificate signed by the
// stand-in minikube's CA (as minikube's API server does), or by token.
type fakeAPIServer struct {
	t   *testing.T
	srv *httptest.Server
	// certDir holds the stand-in minikube's CA, client certificate and key.
	certDir string
	codecs  serializer.CodecFactory

	mu         sync.Mutex
	token      string                    // accepted bearer token, if any
	namespaces map[string]bool           // namespaces that exist
	secrets    map[string]*corev1.Secret // by namespace/name
	nodes      []corev1.Node
	pods       []corev1.Pod
	requests   []seenRequest
	// answers overrides the next answers to requests whose "METHOD path"
	// is the key, first to last.
	answers map[string][]func(w http.ResponseWriter)
	rv      int
}

// seenRequest is what the fake API server recorded of one request.
type seenRequest struct {
	Method, Path  string
	Query         map[string][]string
	UserAgent     string
	ContentType   string
	Authorization string
	ClientCN      string // the client certificate's common name, if one was presented
	Body          []byte
}

func (r seenRequest) String() string { return r.Method + " " + r.Path }

func newFakeAPIServer(t *testing.T) *fakeAPIServer {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	f := &fakeAPIServer{t: t, certDir: minikubetest.New(t, "gaiaflow-demo").CertDir, codecs: serializer.NewCodecFactory(scheme),
		namespaces: map[string]bool{"default": true, "kube-system": true},
		secrets:    map[string]*corev1.Secret{}, answers: map[string][]func(http.ResponseWriter){}}
	caPEM, err := os.ReadFile(filepath.Join(f.certDir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	clientCAs := x509.NewCertPool()
	if !clientCAs.AppendCertsFromPEM(caPEM) {
		t.Fatal("no CA in ca.crt")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /version", f.version)
	mux.HandleFunc("GET /api/v1/nodes", f.listNodes)
	mux.HandleFunc("GET /api/v1/pods", f.listPods)
	mux.HandleFunc("GET /api/v1/namespaces/{ns}/secrets/{name}", f.getSecret)
	mux.HandleFunc("POST /api/v1/namespaces/{ns}/secrets", f.createSecret)
	mux.HandleFunc("PUT /api/v1/namespaces/{ns}/secrets/{name}", f.updateSecret)
	f.srv = httptest.NewUnstartedServer(f.front(mux))
	f.srv.TLS = &tls.Config{ClientCAs: clientCAs, ClientAuth: tls.VerifyClientCertIfGiven}
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

// front records the request, authenticates it and plays any answer queued
// for it before the API proper sees it.
func (f *fakeAPIServer) front(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen := seenRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), UserAgent: r.UserAgent(),
			ContentType: r.Header.Get("Content-Type"), Authorization: r.Header.Get("Authorization"), Body: body}
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			seen.ClientCN = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		f.mu.Lock()
		f.requests = append(f.requests, seen)
		token := f.token
		var answer func(http.ResponseWriter)
		if q := f.answers[seen.String()]; len(q) > 0 {
			answer, f.answers[seen.String()] = q[0], q[1:]
		}
		f.mu.Unlock()
		if seen.ClientCN == "" && (token == "" || seen.Authorization != "Bearer "+token) {
			f.status(w, apierrors.NewUnauthorized("Unauthorized"))
			return
		}
		if answer != nil {
			answer(w)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		api.ServeHTTP(w, r)
	})
}

// answerNext makes the next request "METHOD path" answered by answer.
func (f *fakeAPIServer) answerNext(request string, answer func(w http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[request] = append(f.answers[request], answer)
}

// failNext makes the next request "METHOD path" fail with err's Status.
func (f *fakeAPIServer) failNext(request string, err *apierrors.StatusError) {
	f.answerNext(request, func(w http.ResponseWriter) { f.status(w, err) })
}

func (f *fakeAPIServer) seen() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.requests...)
}

func (f *fakeAPIServer) secret(ns, name string) *corev1.Secret {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.secrets[ns+"/"+name]
}

func (f *fakeAPIServer) putSecret(s *corev1.Secret) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rv++
	s = s.DeepCopy()
	s.ResourceVersion = strconv.Itoa(f.rv)
	f.secrets[s.Namespace+"/"+s.Name] = s
}

// write answers with obj as JSON, with its apiVersion and kind, as an API
// server does for a client that accepts JSON.
func (f *fakeAPIServer) write(w http.ResponseWriter, code int, obj runtime.Object) {
	data, err := runtime.Encode(f.codecs.LegacyCodec(corev1.SchemeGroupVersion), obj)
	if err != nil {
		f.t.Errorf("fake API server: encode %T: %v", obj, err)
		code, data = http.StatusInternalServerError, nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(data)
}

func (f *fakeAPIServer) status(w http.ResponseWriter, err *apierrors.StatusError) {
	st := err.ErrStatus
	f.write(w, int(st.Code), &st)
}

// read decodes a request's body, JSON or protobuf, as an API server does.
func (f *fakeAPIServer) read(r *http.Request, into runtime.Object) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	_, _, err = f.codecs.UniversalDeserializer().Decode(body, nil, into)
	return err
}

var secretsResource = schema.GroupResource{Resource: "secrets"}

func (f *fakeAPIServer) version(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"major":"1","minor":"34","gitVersion":"v1.34.0","gitCommit":"f28b4c9","gitTreeState":"clean","goVersion":"go1.24.6","compiler":"gc","platform":"linux/amd64"}`)
}

func (f *fakeAPIServer) listNodes(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	list := &corev1.NodeList{Items: append([]corev1.Node(nil), f.nodes...)}
	f.mu.Unlock()
	f.write(w, http.StatusOK, list)
}

func (f *fakeAPIServer) listPods(w http.ResponseWriter, r *http.Request) {
	sel, err := labels.Parse(r.URL.Query().Get("labelSelector"))
	if err != nil {
		f.status(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	list := &corev1.PodList{}
	f.mu.Lock()
	for _, p := range f.pods {
		if sel.Matches(labels.Set(p.Labels)) {
			list.Items = append(list.Items, p)
		}
	}
	f.mu.Unlock()
	f.write(w, http.StatusOK, list)
}

func (f *fakeAPIServer) getSecret(w http.ResponseWriter, r *http.Request) {
	s := f.secret(r.PathValue("ns"), r.PathValue("name"))
	if s == nil {
		f.status(w, apierrors.NewNotFound(secretsResource, r.PathValue("name")))
		return
	}
	f.write(w, http.StatusOK, s)
}

func (f *fakeAPIServer) createSecret(w http.ResponseWriter, r *http.Request) {
	var s corev1.Secret
	if err := f.read(r, &s); err != nil {
		f.status(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	ns := r.PathValue("ns")
	f.mu.Lock()
	nsExists := f.namespaces[ns]
	f.mu.Unlock()
	switch {
	case !nsExists:
		f.status(w, apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, ns))
		return
	case f.secret(ns, s.Name) != nil:
		f.status(w, apierrors.NewAlreadyExists(secretsResource, s.Name))
		return
	}
	s.Namespace = ns
	f.putSecret(&s)
	f.write(w, http.StatusCreated, f.secret(ns, s.Name))
}

func (f *fakeAPIServer) updateSecret(w http.ResponseWriter, r *http.Request) {
	var s corev1.Secret
	if err := f.read(r, &s); err != nil {
		f.status(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	old := f.secret(r.PathValue("ns"), r.PathValue("name"))
	switch {
	case old == nil:
		f.status(w, apierrors.NewNotFound(secretsResource, r.PathValue("name")))
		return
	case s.ResourceVersion != old.ResourceVersion:
		f.status(w, apierrors.NewConflict(secretsResource, s.Name,
			fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again")))
		return
	}
	f.putSecret(&s)
	f.write(w, http.StatusOK, f.secret(s.Namespace, s.Name))
}

// Ways a kubeconfig gives the client its credentials.
const (
	certFiles    = "client certificate files" // as minikube writes it
	certEmbedded = "embedded client certificate"
	tokenAuth    = "token"
	execPlugin   = "exec plugin"
)

// kubeconfig writes a kubeconfig for the fake API server, with context
// gaiaflow-demo, to a temporary file, and returns its path. The server's
// certificate is the cluster's CA, so TLS verification stays on.
func (f *fakeAPIServer) kubeconfig(auth string) string {
	f.t.Helper()
	caData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})
	b64 := func(name string) string {
		data, err := os.ReadFile(filepath.Join(f.certDir, name))
		if err != nil {
			f.t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(data)
	}
	var user string
	switch auth {
	case certFiles:
		user = fmt.Sprintf("    client-certificate: %s\n    client-key: %s\n",
			filepath.Join(f.certDir, "client.crt"), filepath.Join(f.certDir, "client.key"))
	case certEmbedded:
		user = fmt.Sprintf("    client-certificate-data: %s\n    client-key-data: %s\n", b64("client.crt"), b64("client.key"))
	case tokenAuth:
		user = "    token: fake-token-0123\n"
	case execPlugin:
		// The test binary is the plugin: see TestMain.
		exe, err := os.Executable()
		if err != nil {
			f.t.Fatal(err)
		}
		user = fmt.Sprintf("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: %q\n"+
			"      env:\n      - name: %s\n        value: exec-token-4567\n      interactiveMode: Never\n", exe, execCredentialEnv)
	default:
		f.t.Fatalf("unknown auth %q", auth)
	}
	config := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: gaiaflow-demo
  cluster:
    server: %s
    certificate-authority-data: %s
contexts:
- name: gaiaflow-demo
  context:
    cluster: gaiaflow-demo
    user: gaiaflow-demo
    namespace: default
current-context: gaiaflow-demo
users:
- name: gaiaflow-demo
  user:
%s`, f.srv.URL, base64.StdEncoding.EncodeToString(caData), user)
	path := filepath.Join(f.t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// client is NewClient for the fake API server, authenticated as minikube's
// kubeconfig does it: client certificate files.
func (f *fakeAPIServer) client() API {
	f.t.Helper()
	api, err := NewClient(f.kubeconfig(certFiles), "gaiaflow-demo")
	if err != nil {
		f.t.Fatal(err)
	}
	return api
}

// execCredentialEnv, set, makes the test binary an exec credential plugin
// that prints a credential holding the variable's value as its token.
const execCredentialEnv = "GAIAFLOW_TEST_EXEC_CREDENTIAL"

func TestMain(m *testing.M) {
	if token := os.Getenv(execCredentialEnv); token != "" {
		fmt.Printf(`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":%q}}`+"\n", token)
		os.Exit(0)
	}
	os.Exit(m.Run())
}
