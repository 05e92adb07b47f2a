package modes

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Compiled on first use: at start-up they would slow every command, --help included.
var (
	// secrets=[...] or secrets=(...) in a create_task call; the list may
	// span lines.
	secretsArgRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bsecrets\s*=\s*[\[(]([^\])]*)[\])]`) })
	stringLitRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`["']([^"'\n]+)["']`) })
)

// SecretsNamedInDAGs finds the Kubernetes secret names the DAG files under
// dir pass as create_task(secrets=[...]) literals, each with the files that
// name it (relative to dir). Names built at run time are not seen: this
// reads the files, it does not run them.
func SecretsNamedInDAGs(dir string) (map[string][]string, error) {
	found := map[string][]string{}
	err := walkDAGFiles(dir, func(rel, src string) {
		for _, m := range secretsArgRE().FindAllStringSubmatch(stripComments(src), -1) {
			for _, s := range stringLitRE().FindAllStringSubmatch(m[1], -1) {
				if !slices.Contains(found[s[1]], rel) {
					found[s[1]] = append(found[s[1]], rel)
				}
			}
		}
	})
	return found, err
}

// stripComments drops Python line comments so a commented-out call does not
// count. A '#' inside a string is rare enough in a secrets list to ignore.
func stripComments(src string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if j := strings.Index(l, "#"); j >= 0 {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}
