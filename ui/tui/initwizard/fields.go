// Package initwizard is the keyboard-driven wizard of `gaiaflow init`: a huh
// form whose questions are answered in turn, each validated as it is typed,
// then a review page with a preview of the files and a confirmation.
//
// The wizard only collects answers; it writes nothing. Whoever runs it (the
// init command, or the dashboard when no project is found) generates the
// project from its Result with scaffold.Generate, so Esc or Ctrl-C leaves
// nothing behind by construction.
package initwizard

import (
	"errors"
	"strings"

	"github.com/gaiaflow/gaiaflow/scaffold"
)

// field is one question of the form.
type field struct {
	key   string // the matching flag of `gaiaflow init`
	title string
	help  string
	// choices is set for a question answered by picking; text otherwise.
	choices []string
	// choiceHelp explains each choice, by value.
	choiceHelp map[string]string
	validate   func(cfg Config, value string) error
}

const (
	fName = iota
	fDir
	fDescription
	fAuthor
	fEmail
	fPackage
	fEnvManager
	fPython
	fExamples
	numFields
)

var fields = [numFields]field{
	fName: {key: "name", title: "Project name",
		help:     "lower-case letters, digits and dashes; it names the containers, the S3 bucket and the Minikube profile",
		validate: func(_ Config, v string) error { return scaffold.ValidateName(v) }},
	fDir: {key: "dir", title: "Directory",
		help: "where the project goes: a new or empty folder",
		validate: func(cfg Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("a directory is required")
			}
			if cfg.CheckDir != nil {
				return cfg.CheckDir(v)
			}
			return nil
		}},
	fDescription: {key: "description", title: "Description", help: "one line, for the README and pyproject.toml",
		validate: func(_ Config, v string) error { return scaffold.ValidateOneLine(v) }},
	fAuthor: {key: "author", title: "Author", help: "your name (optional)",
		validate: func(_ Config, v string) error { return scaffold.ValidateOneLine(v) }},
	fEmail: {key: "email", title: "Email", help: "your email address (optional)",
		validate: func(_ Config, v string) error { return scaffold.ValidateEmail(v) }},
	fPackage: {key: "package", title: "Python package",
		help:     "the import name: a lower-case identifier, not a keyword or a standard-library module",
		validate: func(_ Config, v string) error { return scaffold.ValidatePackage(v) }},
	fEnvManager: {key: "env-manager", title: "Environment manager", help: "how the project declares its dependencies",
		choices: scaffold.EnvManagers, choiceHelp: scaffold.EnvManagerHelp},
	fPython: {key: "python", title: "Python version", help: "for the environment and the task images",
		choices: scaffold.PythonVersions},
	fExamples: {key: "examples", title: "Example pipeline",
		help:    "a small ML pipeline (preprocess, train, evaluate) with MLflow and the S3 store, its DAG, tests and notebook",
		choices: []string{"yes", "no"}},
}
