package pylib

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// projectMetadata is what a wheel's METADATA needs from pyproject.toml's [project] table.
type projectMetadata struct {
	Name           string
	Description    string
	RequiresPython string
	License        string
	Classifiers    []string
	Dependencies   []string
	Extras         []extra // in file order
}

type extra struct {
	Name         string
	Requirements []string
}

// parsePyproject reads the [project] and [project.optional-dependencies] tables of our own
// pyproject.toml. It understands the TOML this file uses (bare keys, basic and literal
// strings, arrays of strings over several lines, comments) rather than all of TOML: the module
// takes no dependencies, and embed_test.go checks the result against Python's TOML parser.
func parsePyproject(data []byte) (projectMetadata, error) {
	var meta projectMetadata
	table := ""
	var pending strings.Builder // a key = value statement that spans lines
	lineNo, startLine := 0, 0
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		lineNo++
		line := strings.TrimSpace(stripComment(scanner.Text()))
		if pending.Len() == 0 {
			if line == "" {
				continue
			}
			if strings.HasPrefix(line, "[") && !strings.Contains(line, "=") {
				table = strings.TrimSpace(strings.Trim(line, "[]"))
				continue
			}
			startLine = lineNo
		}
		pending.WriteString(line)
		pending.WriteString(" ")
		if !balanced(pending.String()) {
			continue
		}
		statement := strings.TrimSpace(pending.String())
		pending.Reset()
		key, value, ok := strings.Cut(statement, "=")
		if !ok {
			return meta, fmt.Errorf("pyproject.toml:%d: expected key = value", startLine)
		}
		if err := meta.set(table, strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
			return meta, fmt.Errorf("pyproject.toml:%d: %w", startLine, err)
		}
	}
	if err := scanner.Err(); err != nil {
		return meta, err
	}
	if pending.Len() > 0 {
		return meta, fmt.Errorf("pyproject.toml:%d: unterminated value", startLine)
	}
	if meta.Name == "" {
		return meta, fmt.Errorf("pyproject.toml: [project] has no name")
	}
	return meta, nil
}

func (m *projectMetadata) set(table, key, value string) error {
	var err error
	switch {
	case table == "project" && key == "name":
		m.Name, err = parseString(value)
	case table == "project" && key == "description":
		m.Description, err = parseString(value)
	case table == "project" && key == "requires-python":
		m.RequiresPython, err = parseString(value)
	case table == "project" && key == "license":
		m.License, err = parseString(value)
	case table == "project" && key == "classifiers":
		m.Classifiers, err = parseStringArray(value)
	case table == "project" && key == "dependencies":
		m.Dependencies, err = parseStringArray(value)
	case table == "project.optional-dependencies":
		var reqs []string
		reqs, err = parseStringArray(value)
		m.Extras = append(m.Extras, extra{Name: key, Requirements: reqs})
	}
	if err != nil {
		return fmt.Errorf("%s.%s: %w", table, key, err)
	}
	return nil
}

// stripComment removes a # comment that is not inside a string.
func stripComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '"' && c == '\\':
			i++ // skip the escaped character
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '#':
			return line[:i]
		}
	}
	return line
}

// balanced reports whether every [ outside strings has its ].
func balanced(s string) bool {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '[':
			depth++
		case quote == 0 && c == ']':
			depth--
		}
	}
	return depth <= 0 && quote == 0
}

func parseString(value string) (string, error) {
	s, rest, err := nextString(value)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(rest) != "" {
		return "", fmt.Errorf("unexpected %q after the string", rest)
	}
	return s, nil
}

func parseStringArray(value string) ([]string, error) {
	if !strings.HasPrefix(value, "[") || !strings.HasSuffix(value, "]") {
		return nil, fmt.Errorf("expected an array of strings, got %q", value)
	}
	rest := strings.TrimSpace(value[1 : len(value)-1])
	items := []string{}
	for rest != "" {
		s, after, err := nextString(rest)
		if err != nil {
			return nil, err
		}
		items = append(items, s)
		after = strings.TrimSpace(after)
		if after != "" && !strings.HasPrefix(after, ",") {
			return nil, fmt.Errorf("expected ',' between array items, got %q", after)
		}
		rest = strings.TrimSpace(strings.TrimPrefix(after, ","))
	}
	return items, nil
}

// nextString reads one basic ("...") or literal ('...') string from the start of s.
func nextString(s string) (value, rest string, err error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `"""`) || strings.HasPrefix(s, "'''") {
		return "", "", fmt.Errorf("multi-line strings are not supported here")
	}
	switch {
	case strings.HasPrefix(s, "'"):
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return "", "", fmt.Errorf("unterminated string %q", s)
		}
		return s[1 : end+1], s[end+2:], nil
	case strings.HasPrefix(s, `"`):
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				v, err := strconv.Unquote(s[:i+1])
				if err != nil {
					return "", "", fmt.Errorf("bad string %q: %w", s[:i+1], err)
				}
				return v, s[i+1:], nil
			}
		}
		return "", "", fmt.Errorf("unterminated string %q", s)
	}
	return "", "", fmt.Errorf("expected a string, got %q", s)
}
