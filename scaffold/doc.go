// Package scaffold will hold the embedded project template, its generator and
// the validation of the answers `gaiaflow init` asks for.
package scaffold
