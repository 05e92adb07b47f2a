package registry

import "testing"

func TestParseChallenges(t *testing.T) {
	got := parseChallenges([]string{
		`Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull"`,
		`Basic realm="Registry \"Realm\""`,
		`Negotiate abc==, Bearer realm=https://t.example/token , error="insufficient_scope"`,
	})
	want := []challenge{
		{"bearer", map[string]string{"realm": "https://auth.example.com/token", "service": "registry.example.com", "scope": "repository:team/app:pull"}},
		{"basic", map[string]string{"realm": `Registry "Realm"`}},
		{"negotiate", map[string]string{"abc": ""}},
		{"bearer", map[string]string{"realm": "https://t.example/token", "error": "insufficient_scope"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d challenges: %+v", len(got), got)
	}
	for i := range want {
		if got[i].Scheme != want[i].Scheme {
			t.Errorf("%d: scheme %q, want %q", i, got[i].Scheme, want[i].Scheme)
		}
		for k, v := range want[i].Params {
			if got[i].Params[k] != v {
				t.Errorf("%d: %s = %q, want %q", i, k, got[i].Params[k], v)
			}
		}
	}
}
