package airflowtest

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
)

// gate is the api-server's front door, for the tests and for the tasks'
// execution API alike: a reverse proxy that lets a change made through the
// public API (a request other than GET or HEAD outside /execution/) through
// only when no other request is in flight. Everything else passes side by
// side.
//
// Why: Airflow writes an audit record of every change made through the
// public API from an async FastAPI dependency, committing on the event
// loop. A request that has written but not yet committed needs that loop to
// commit. On SQLite, with one write lock for the whole file, the audit
// commit then blocks the loop waiting for the lock that the other request
// cannot release without the loop: the api-server stalls until SQLite's
// busy timeout fails the change with a 500, and tasks whose execution API
// calls stalled with it fail. Postgres, which the real stack runs, locks
// rows and never gets there; the stall only appears here, with several runs
// and triggers at once.
type gate struct {
	srv *http.Server
}

// openGate listens on 127.0.0.1:port (0: a free port) and forwards to target.
func openGate(port int, target string) (*gate, int, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, 0, err
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, 0, fmt.Errorf("listen for the api-server's gate: %w", err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	// A client that gives up (a test's context ending) is not news; an
	// api-server that is down shows as 502 to whoever asked.
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	var inFlight sync.RWMutex
	g := &gate{srv: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if publicChange(r) {
			inFlight.Lock()
			defer inFlight.Unlock()
		} else {
			inFlight.RLock()
			defer inFlight.RUnlock()
		}
		proxy.ServeHTTP(w, r)
	})}}
	go func() { _ = g.srv.Serve(l) }()
	return g, l.Addr().(*net.TCPAddr).Port, nil
}

// publicChange reports whether r is a change through the public API.
func publicChange(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && !strings.HasPrefix(r.URL.Path, "/execution/")
}

func (g *gate) close() { _ = g.srv.Close() }
