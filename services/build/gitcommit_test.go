package build

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSourceCommit(t *testing.T) {
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	for _, tc := range []struct {
		name  string
		files map[string]string
		sub   string // the project's directory inside the tree
		want  string
	}{
		{"no repository", map[string]string{"x": ""}, "", ""},
		{"loose ref", map[string]string{".git/HEAD": "ref: refs/heads/main\n", ".git/refs/heads/main": a + "\n"}, "", a},
		{"packed ref", map[string]string{".git/HEAD": "ref: refs/heads/dev\n", ".git/packed-refs": "# x\n" + b + " refs/heads/dev\n^" + a + "\n"}, "", b},
		{"detached", map[string]string{".git/HEAD": a + "\n"}, "", a},
		{"unborn branch", map[string]string{".git/HEAD": "ref: refs/heads/main\n"}, "", ""},
		{"project below the root", map[string]string{".git/HEAD": a + "\n", "sub/gaiaflow.toml": ""}, "sub", a},
		{"worktree", map[string]string{
			".git":                             "gitdir: repo/.git/worktrees/wt\n",
			"repo/.git/worktrees/wt/HEAD":      "ref: refs/heads/feature\n",
			"repo/.git/worktrees/wt/commondir": "../..\n",
			"repo/.git/refs/heads/feature":     b + "\n",
		}, "", b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			if got := sourceCommit(filepath.Join(dir, tc.sub)); got != tc.want {
				t.Errorf("sourceCommit = %q, want %q", got, tc.want)
			}
		})
	}
}
