// Command probe is the program of the image the real-node tests build
// (e2e/realnode_test.go), static, in a FROM-scratch image:
//
//	probe serve ADDR   answers every HTTP request with $PROBE_REPLY: the
//	                   stand-in for a service the local Docker stack publishes.
//	probe pod          the pod's task: prints the SHA-256 of $PROBE_SECRET
//	                   (never the value), fetches $PROBE_URL, and writes both
//	                   to /airflow/xcom/return.json as the cncf-kubernetes
//	                   operator's XCom sidecar expects.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// XComPath is where the operator's sidecar reads a task's return value.
const XComPath = "/airflow/xcom/return.json"

func main() {
	if len(os.Args) < 2 {
		fail("usage: probe serve ADDR | probe pod")
	}
	switch os.Args[1] {
	case "serve":
		if len(os.Args) != 3 {
			fail("usage: probe serve ADDR")
		}
		serve(os.Args[2], os.Getenv("PROBE_REPLY"))
	case "pod":
		pod()
	default:
		fail("unknown mode " + os.Args[1])
	}
}

func serve(addr, reply string) {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, reply)
	})
	fmt.Println("serving on", addr)
	fail(http.ListenAndServe(addr, nil).Error())
}

func pod() {
	secret, ok := os.LookupEnv("PROBE_SECRET")
	if !ok {
		fail("PROBE_SECRET is not set")
	}
	sum := sha256.Sum256([]byte(secret))
	hash := hex.EncodeToString(sum[:])
	fmt.Println("secret-sha256=" + hash)

	reply, err := fetch(os.Getenv("PROBE_URL"))
	if err != nil {
		fail("fetch " + os.Getenv("PROBE_URL") + ": " + err.Error())
	}
	fmt.Println("host-reply=" + reply)

	out, err := json.Marshal(map[string]string{"secret_sha256": hash, "host_reply": reply})
	if err != nil {
		fail(err.Error())
	}
	if err := os.MkdirAll(filepath.Dir(XComPath), 0o755); err != nil {
		fail(err.Error())
	}
	if err := os.WriteFile(XComPath, out, 0o644); err != nil {
		fail(err.Error())
	}
	fmt.Println("wrote " + XComPath)
}

// fetch GETs url, trying for up to 20 s: a pod's network may need a moment.
func fetch(url string) (string, error) {
	client := &http.Client{Timeout: 3 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == http.StatusOK {
				return strings.TrimSpace(string(body)), nil
			}
			err = fmt.Errorf("status %s, read error %v", resp.Status, rerr)
		}
		if time.Now().After(deadline) {
			return "", err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "probe:", msg)
	os.Exit(1)
}
