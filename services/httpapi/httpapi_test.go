package httpapi

import (
	"net/http"
	"testing"
)

func TestBase(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1:8080":        "http://127.0.0.1:8080",
		"https://example.com/airflow/": "https://example.com/airflow",
	} {
		if got, err := Base("x", raw); err != nil || got != want {
			t.Errorf("Base(%q) = %q, %v", raw, got, err)
		}
	}
	for _, bad := range []string{"127.0.0.1:8080", "ftp://host", "http://", "http://[::1"} {
		if _, err := Base("x", bad); err == nil {
			t.Errorf("Base(%q) accepted", bad)
		}
	}
}

func TestClientHasItsOwnPool(t *testing.T) {
	c := Client(nil)
	if c.Transport == http.DefaultTransport || c.Transport == nil {
		t.Error("the default transport is shared")
	}
	mine := &http.Client{}
	if Client(mine) != mine {
		t.Error("a given client was replaced")
	}
}
