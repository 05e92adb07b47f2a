package scaffold

import (
	"slices"
	"strings"
)

// Tree draws paths (slash-separated files) as a tree under root, one line per
// folder and file, folders first and each level sorted.
func Tree(root string, paths []string) string {
	type node struct {
		children map[string]*node
	}
	top := &node{children: map[string]*node{}}
	for _, p := range paths {
		n := top
		for _, part := range strings.Split(p, "/") {
			c, ok := n.children[part]
			if !ok {
				c = &node{children: map[string]*node{}}
				n.children[part] = c
			}
			n = c
		}
	}
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(root, "/") + "/\n")
	var walk func(n *node, prefix string)
	walk = func(n *node, prefix string) {
		names := make([]string, 0, len(n.children))
		for name := range n.children {
			names = append(names, name)
		}
		isDir := func(name string) bool { return len(n.children[name].children) > 0 }
		slices.SortFunc(names, func(a, b string) int {
			if da, db := isDir(a), isDir(b); da != db {
				if da {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
		for i, name := range names {
			branch, indent := "├── ", "│   "
			if i == len(names)-1 {
				branch, indent = "└── ", "    "
			}
			label := name
			if isDir(name) {
				label += "/"
			}
			b.WriteString(prefix + branch + label + "\n")
			walk(n.children[name], prefix+indent)
		}
	}
	walk(top, "")
	return b.String()
}
