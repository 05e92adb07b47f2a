package kube

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// ValidateSecretName checks a secret name: a DNS-1123 subdomain.
func ValidateSecretName(name string) error {
	if name == "" {
		return errs.Usagef("pass --name NAME", "a secret needs a name")
	}
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return errs.Usagef("for example: mlflow-credentials",
			"secret name %q is not valid (%s): a secret name is a DNS-1123 subdomain: at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
			name, strings.Join(msgs, "; "))
	}
	return nil
}

// ValidateNamespace checks a namespace name: a DNS-1123 label.
func ValidateNamespace(ns string) error {
	if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
		return errs.Usagef("for example: default",
			"namespace %q is not valid (%s): a namespace is a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit",
			ns, strings.Join(msgs, "; "))
	}
	return nil
}

// Compiled on first use: at start-up it would slow every command, --help included.
var envNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// ValidateKey checks a secret key. Tasks take secrets as environment
// variables (every key of the secret becomes one), so a key must be a
// portable environment variable name, which is also a valid secret key.
func ValidateKey(key string) error {
	if !envNameRE().MatchString(key) {
		return errs.Usagef("for example: AWS_SECRET_ACCESS_KEY",
			"key %q is not valid: a key becomes an environment variable of the task, so it must consist of letters, digits and '_', and must not start with a digit (regex used for validation is '%s')",
			key, envNameRE().String())
	}
	if msgs := validation.IsConfigMapKey(key); len(msgs) > 0 {
		return errs.Usagef("use a shorter key", "key %q is not a valid secret key: %s", key, strings.Join(msgs, "; "))
	}
	return nil
}

// maxSecretBytes is the API server's limit on a secret's data.
const maxSecretBytes = 1 << 20

// ValidateSpec checks everything about spec that can be checked without a
// cluster. Errors name keys, never values.
func ValidateSpec(spec SecretSpec) error {
	if err := ValidateSecretName(spec.Name); err != nil {
		return err
	}
	if err := ValidateNamespace(spec.Namespace); err != nil {
		return err
	}
	if len(spec.Data) == 0 {
		return errs.Usagef("pass --data KEY=VALUE (repeatable) or --from-env-file FILE", "secret %s has no data", spec.Name)
	}
	size := 0
	for k, v := range spec.Data {
		if spec.Type == corev1.SecretTypeDockerConfigJson {
			if k != corev1.DockerConfigJsonKey {
				return errs.Usagef("", "an image pull secret holds only the key %s, not %q", corev1.DockerConfigJsonKey, k)
			}
		} else if err := ValidateKey(k); err != nil {
			return err
		}
		size += len(k) + len(v)
	}
	if size > maxSecretBytes {
		return errs.Usagef("keep large files out of secrets", "secret %s holds %d bytes; Kubernetes allows at most %d", spec.Name, size, maxSecretBytes)
	}
	return nil
}

// redact replaces each value of data that s holds as a whole token: a run of
// text bounded by the start or end of s, white space, quotes or brackets.
// A value inside a longer word ("secret" in "your-secret-name") is left
// alone, so the words of a message are never rewritten; values shorter
// than 4 bytes are left alone too, as they would match ordinary tokens and
// are not worth hiding from someone who can read the key.
func redact(s string, data map[string]string) string {
	values := make([]string, 0, len(data))
	for _, v := range data {
		if len(v) >= 4 {
			values = append(values, v)
		}
	}
	// Longer values first, so a value that contains another is replaced whole.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		var b strings.Builder
		rest := s
		for {
			i := strings.Index(rest, v)
			if i < 0 {
				b.WriteString(rest)
				break
			}
			end := i + len(v)
			whole := (i == 0 || tokenEdge(rest[:i], true)) && (end == len(rest) || tokenEdge(rest[end:], false))
			b.WriteString(rest[:i])
			if whole {
				b.WriteString(Redacted)
			} else {
				b.WriteString(v)
			}
			rest = rest[end:]
		}
		s = b.String()
	}
	return s
}

// tokenEdge reports whether the rune next to a match (the last of before,
// or the first of after) ends a token.
func tokenEdge(s string, before bool) bool {
	var r rune
	if before {
		r, _ = utf8.DecodeLastRuneInString(s)
	} else {
		r, _ = utf8.DecodeRuneInString(s)
	}
	return unicode.IsSpace(r) || strings.ContainsRune("\"'`()[]{}<>,;=", r)
}

// scrub returns a cluster's error with every value of data removed from its
// message and hint. The cause is dropped on purpose: --debug prints the
// whole chain, and nothing in it may carry a value. gaiaflow's own errors
// (bad input) name keys, never values, and are not scrubbed.
func scrub(err error, data map[string]string) error {
	if err == nil || errs.KindOf(err) == errs.Usage {
		return err
	}
	return &errs.Error{Kind: errs.KindOf(err), Msg: redact(err.Error(), data), Hint: redact(errs.HintOf(err), data)}
}

// keyList formats keys for a message.
func keyList(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
