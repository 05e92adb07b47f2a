// Package tui will hold the bubbletea programs: the dashboard, its panels,
// the wizards, the key table and the theme.
package tui
