package stack

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The signing key examples and the get-vanilla request of AWS's published
// Signature Version 4 test suite.
func TestSigV4SigningKey(t *testing.T) {
	for _, tc := range []struct{ day, want string }{
		{"20120215", "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"},
		{"20150830", "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"},
	} {
		got := hex.EncodeToString(signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", tc.day, "us-east-1", "iam"))
		if got != tc.want {
			t.Errorf("signing key for %s = %s, want %s", tc.day, got, tc.want)
		}
	}
}

func TestSigV4GetVanilla(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "http://example.amazonaws.com/", nil)
	now, _ := time.Parse("20060102T150405Z", "20150830T123600Z")
	signV4(req, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service", emptySHA256, now)
	want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization =\n%s\nwant\n%s", got, want)
	}
}

func TestMakeBucket(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/new":
			w.WriteHeader(http.StatusOK)
		case "/mine":
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte("<Error><Code>BucketAlreadyOwnedByYou</Code></Error>"))
		default:
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte("<Error><Code>SignatureDoesNotMatch</Code></Error>"))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	if err := MakeBucket(ctx, srv.Client(), srv.URL, "key", "secret", "new"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=key/") || !strings.Contains(auth, "SignedHeaders=host;x-amz-content-sha256;x-amz-date") {
		t.Errorf("Authorization = %q", auth)
	}
	if err := MakeBucket(ctx, srv.Client(), srv.URL, "key", "secret", "mine"); err != nil {
		t.Errorf("existing bucket of ours: %v", err)
	}
	err := MakeBucket(ctx, srv.Client(), srv.URL, "key", "secret", "theirs")
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(auth, "secret") {
		t.Errorf("the secret key leaked into the request: %q", auth)
	}
}
