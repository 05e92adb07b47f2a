package stack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The stack creates MLflow's bucket itself, with one signed request, rather
// than in another container: MinIO's client image is gone from Docker Hub,
// and a request from here works with any S3 store behind the port.

const s3Region = "us-east-1"

// MakeBucket creates a bucket on an S3 endpoint (http://host:port). A bucket
// that already exists and is ours is success.
func MakeBucket(ctx context.Context, client *http.Client, endpoint, accessKey, secretKey, bucket string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, strings.TrimRight(endpoint, "/")+"/"+bucket, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	signV4(req, accessKey, secretKey, s3Region, "s3", emptySHA256, time.Now().UTC())
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusOK || strings.Contains(string(body), "BucketAlreadyOwnedByYou") {
		return nil
	}
	return fmt.Errorf("create bucket %s: HTTP %d: %s", bucket, resp.StatusCode, s3ErrorCode(body))
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// s3ErrorCode picks <Code> out of an S3 error document.
func s3ErrorCode(body []byte) string {
	s := string(body)
	if i := strings.Index(s, "<Code>"); i >= 0 {
		if j := strings.Index(s[i:], "</Code>"); j > 0 {
			return s[i+6 : i+j]
		}
	}
	return strings.TrimSpace(s)
}

// signV4 adds an AWS Signature Version 4 to a request without a query
// string. It signs host, x-amz-date and, when the request carries it,
// x-amz-content-sha256 (S3 requires it); payloadHash is the body's SHA-256.
func signV4(req *http.Request, accessKey, secretKey, region, service, payloadHash string, now time.Time) {
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)
	host := req.URL.Host
	if req.Host != "" {
		host = req.Host
	}
	headers := "host:" + host + "\n"
	signed := "host"
	if v := req.Header.Get("X-Amz-Content-Sha256"); v != "" {
		headers += "x-amz-content-sha256:" + v + "\n"
		signed += ";x-amz-content-sha256"
	}
	headers += "x-amz-date:" + amzDate + "\n"
	signed += ";x-amz-date"
	canonical := strings.Join([]string{
		req.Method,
		canonicalPath(req.URL.EscapedPath()),
		req.URL.RawQuery,
		headers,
		signed,
		payloadHash,
	}, "\n")
	scope := day + "/" + region + "/" + service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hexSHA256(canonical)
	key := signingKey(secretKey, day, region, service)
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		accessKey, scope, signed, sig))
}

func canonicalPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func signingKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
