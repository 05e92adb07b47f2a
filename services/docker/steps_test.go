package docker

import (
	"slices"
	"testing"
)

func TestBuildSteps(t *testing.T) {
	// base <- s1 <- s2 <- s3 <- top, as a classic build leaves them.
	chain := []imageNode{
		{ID: "base", Tagged: true},
		{ID: "s1", Parent: "base"},
		{ID: "s2", Parent: "s1"},
		{ID: "s3", Parent: "s2"},
		{ID: "top", Parent: "s3", Tagged: true},
	}
	with := func(extra ...imageNode) []imageNode { return append(slices.Clone(chain), extra...) }
	for _, tc := range []struct {
		name   string
		images []imageNode
		id     string
		base   string
		want   []string
	}{
		{"every step, child first", chain, "top", "base", []string{"s3", "s2", "s1"}},
		{"an untagged top", with(), "s3", "base", []string{"s2", "s1"}},
		{"no base recorded", chain, "top", "", nil},
		{"a base not in the chain (the build started elsewhere)", with(imageNode{ID: "other", Tagged: true}), "top", "other", nil},
		{"a tagged image between", []imageNode{
			{ID: "base", Tagged: true}, {ID: "s1", Parent: "base"}, {ID: "users", Parent: "s1", Tagged: true},
			{ID: "s3", Parent: "users"}, {ID: "top", Parent: "s3"}}, "top", "base", nil},
		{"a missing parent", []imageNode{{ID: "base", Tagged: true}, {ID: "s2", Parent: "s1"}, {ID: "top", Parent: "s2"}}, "top", "base", nil},
		{"the image is gone", chain, "nope", "base", nil},
		{"the image is the base", chain, "base", "base", nil},
		{"nothing between", []imageNode{{ID: "base", Tagged: true}, {ID: "top", Parent: "base"}}, "top", "base", nil},
		// Another build took s1 from the cache: s1 stays, so its parents do.
		{"a step another build shares", with(imageNode{ID: "theirs", Parent: "s1", Tagged: true}), "top", "base", []string{"s3", "s2"}},
		{"the top's parent shared", with(imageNode{ID: "sibling", Parent: "s3"}), "top", "base", nil},
		// The base itself being dangling (re-tagged since) changes nothing:
		// the walk stops at it and never returns it.
		{"a dangling base", []imageNode{{ID: "old", Parent: "older"}, {ID: "older"}, {ID: "s1", Parent: "old"}, {ID: "top", Parent: "s1"}}, "top", "old", []string{"s1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := buildSteps(tc.images, tc.id, tc.base); !slices.Equal(got, tc.want) {
				t.Errorf("buildSteps(%s, %s) = %v, want %v", tc.id, tc.base, got, tc.want)
			}
		})
	}
}
