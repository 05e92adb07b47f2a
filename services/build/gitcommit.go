package build

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Compiled on first use: at start-up it would slow every command, --help included.
var commitRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`) })

// sourceCommit returns the commit checked out in the project's git
// repository, or "" when there is none. It reads .git directly instead of
// running git: git may not be installed, and even `git status` may write to
// the repository's index, which belongs to the user.
func sourceCommit(projectDir string) string {
	gitDir, ok := findGitDir(projectDir)
	if !ok {
		return ""
	}
	// A linked worktree keeps HEAD in its own directory and refs in the
	// common one.
	common := gitDir
	if data, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(data))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = c
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	ref := strings.TrimSpace(string(head))
	for range 5 { // symbolic refs may chain; a handful is plenty
		name, symbolic := strings.CutPrefix(ref, "ref: ")
		if !symbolic {
			if commitRE().MatchString(ref) {
				return ref
			}
			return ""
		}
		ref = readRef(gitDir, common, strings.TrimSpace(name))
		if ref == "" {
			return "" // a branch without commits
		}
	}
	return ""
}

// findGitDir finds the repository of dir: dir/.git or a parent's, following
// a .git file ("gitdir: ...") for worktrees and submodules.
func findGitDir(dir string) (string, bool) {
	for d := dir; ; {
		p := filepath.Join(d, ".git")
		if st, err := os.Stat(p); err == nil {
			if st.IsDir() {
				return p, true
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return "", false
			}
			target, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: ")
			if !ok {
				return "", false
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(d, target)
			}
			return target, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}

// readRef resolves a ref name: a loose ref file, else packed-refs.
func readRef(gitDir, common, name string) string {
	for _, dir := range []string{gitDir, common} {
		if data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
			return strings.TrimSpace(string(data))
		}
	}
	f, err := os.Open(filepath.Join(common, "packed-refs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "^") {
			continue
		}
		if sha, ref, ok := strings.Cut(line, " "); ok && ref == name {
			return sha
		}
	}
	return ""
}
