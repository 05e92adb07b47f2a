//go:build !unix

package stack

func fileGID(string) string { return "" }

// fileOwner: Docker Desktop maps the owner of bind mounts itself.
func fileOwner(string) string { return "" }
