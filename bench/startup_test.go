package main

import "testing"

func TestInitCost(t *testing.T) {
	trace := "init runtime @0.044 ms, 0.036 ms clock, 0 bytes, 0 allocs\n" +
		"init github.com/gaiaflow/gaiaflow/services/project @3.7 ms, 0.11 ms clock, 50224 bytes, 363 allocs\n" +
		"init k8s.io/api/core/v1 @11 ms, 0.099 ms clock, 99976 bytes, 553 allocs\n" +
		"usage: gaiaflow\n"
	all, own, n := initCost(trace)
	if n != 3 || all < 0.2449 || all > 0.2451 || own != 0.11 {
		t.Errorf("initCost = %v, %v, %d; want 0.245, 0.11, 3", all, own, n)
	}
}

func TestAPIPath(t *testing.T) {
	for in, want := range map[string]string{
		"/v1.41/containers/abc123/json": "/containers/{id}/json",
		"/v1.41/containers/json":        "/containers/json",
		"/_ping":                        "/_ping",
		"/v1.41/events":                 "/events",
	} {
		if got := apiPath(in); got != want {
			t.Errorf("apiPath(%s) = %s, want %s", in, got, want)
		}
	}
}
