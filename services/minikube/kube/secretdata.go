package kube

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// ParseData reads --data KEY=VALUE arguments. It splits on the first '=';
// errors say which argument is wrong, never what it holds, since a
// malformed argument may well be a value.
func ParseData(pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, errs.Usagef("write each pair as --data KEY=VALUE",
				"--data argument %d has no '=' (its content is not shown, as it may be a secret value)", i+1)
		}
		if k == "" {
			return nil, errs.Usagef("write each pair as --data KEY=VALUE", "--data argument %d has an empty key", i+1)
		}
		if err := ValidateKey(k); err != nil {
			return nil, err
		}
		if _, dup := out[k]; dup {
			return nil, errs.Usagef("give each key once", "key %s is given twice in --data", k)
		}
		out[k] = v
	}
	return out, nil
}

// ParseEnvFile reads KEY=VALUE lines, as in a .env file: blank lines and
// lines starting with '#' are skipped, a leading "export " is allowed, and
// one pair of matching quotes around a value is removed. Nothing else is
// interpreted: no escapes, no variable expansion. Errors name the file and
// line number, never the line's content.
func ParseEnvFile(name string, data []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxSecretBytes+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		trimmed = strings.TrimPrefix(trimmed, "export ")
		k, v, ok := strings.Cut(trimmed, "=")
		if !ok {
			return nil, errs.Usagef("write each line as KEY=VALUE",
				"%s:%d: no '=' on this line (its content is not shown, as it may be a secret value)", name, n)
		}
		k = strings.TrimSpace(k)
		if err := ValidateKey(k); err != nil {
			return nil, errs.Wrap(errs.Usage, err, errs.HintOf(err), "%s:%d", name, n)
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		if _, dup := out[k]; dup {
			return nil, errs.Usagef("give each key once", "%s:%d: key %s is given twice", name, n, k)
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// CollectData merges --data pairs and an env file (either may be empty). A
// key given in both is an error: which one was meant is not ours to guess.
func CollectData(pairs []string, envFile string) (map[string]string, error) {
	data, err := ParseData(pairs)
	if err != nil {
		return nil, err
	}
	if envFile == "" {
		return data, nil
	}
	raw, err := os.ReadFile(envFile)
	if err != nil {
		return nil, errs.Wrap(errs.Usage, err, "pass --from-env-file an existing file of KEY=VALUE lines", "read env file")
	}
	fromFile, err := ParseEnvFile(envFile, raw)
	if err != nil {
		return nil, err
	}
	for k, v := range fromFile {
		if _, dup := data[k]; dup {
			return nil, errs.Usagef("give each key once", "key %s is in both --data and %s", k, envFile)
		}
		data[k] = v
	}
	return data, nil
}
