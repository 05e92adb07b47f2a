//go:build !unix

package stack

func fileGID(string) string { return "" }
