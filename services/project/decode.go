package project

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Problem is one thing wrong in a settings file, with its place.
type Problem struct {
	File    string
	Line    int // 0 when the place is unknown (a missing key)
	Column  int
	Message string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
}

// InvalidError lists every problem of a settings file. It is bad input (exit 2).
type InvalidError struct {
	Problems []Problem
}

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// invalid wraps problems as a usage error with a hint.
func invalid(problems []Problem) error {
	return errs.Wrap(errs.Usage, &InvalidError{Problems: problems},
		"fix "+FileName+" (its keys are described in README.md) and run the command again", "")
}

// Decode parses settings strictly: unknown keys, wrong types and bad values
// are all reported with file, line and column. Defaults fill what is unset.
func Decode(file string, data []byte) (*Config, error) {
	var c Config
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, invalid(DecodeProblems(file, err, ""))
	}
	c.ApplyDefaults()
	fieldErrs := c.Validate()
	if len(fieldErrs) == 0 {
		return &c, nil
	}
	pos := KeyPositions(data, ".")
	problems := make([]Problem, 0, len(fieldErrs))
	for _, fe := range fieldErrs {
		p := Problem{File: file, Message: fe.Problem}
		if at, ok := pos[fe.Key]; ok {
			p.Line, p.Column = at.Line, at.Column
		} else {
			p.Message = fe.Key + ": " + fe.Problem
		}
		problems = append(problems, p)
	}
	return nil, invalid(problems)
}

// DecodeProblems turns a go-toml decoding error into positioned problems.
// allowed, when set, is added to unknown-key messages ("use theme, mouse or
// [keys]").
func DecodeProblems(file string, err error, allowed string) []Problem {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		out := make([]Problem, 0, len(strict.Errors))
		for _, e := range strict.Errors {
			line, col := e.Position()
			msg := fmt.Sprintf("unknown key %q", strings.Join(e.Key(), "."))
			if allowed != "" {
				msg += " (" + allowed + ")"
			}
			out = append(out, Problem{File: file, Line: line, Column: col, Message: msg})
		}
		return out
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		msg := de.Error()
		if k := de.Key(); len(k) > 0 {
			msg = fmt.Sprintf("%s: %s", strings.Join(k, "."), msg)
		}
		return []Problem{{File: file, Line: line, Column: col, Message: msg}}
	}
	return []Problem{{File: file, Message: err.Error()}}
}

// KeyPositions maps each key path of a TOML document, its parts joined by
// sep, to the place of its key, so value problems found after decoding can
// point at the line. Use a sep that cannot occur in the keys.
func KeyPositions(data []byte, sep string) map[string]unstable.Position {
	out := map[string]unstable.Position{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e.Key())
			if k := e.Key(); k.Next() {
				out[strings.Join(table, sep)] = p.Shape(k.Node().Raw).Start
			}
		case unstable.KeyValue:
			parts := append(append([]string{}, table...), keyParts(e.Key())...)
			if k := e.Key(); k.Next() {
				out[strings.Join(parts, sep)] = p.Shape(k.Node().Raw).Start
			}
		}
	}
	return out
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// Load reads and checks dir/gaiaflow.toml.
func Load(dir string) (*Config, error) {
	file := filepath.Join(dir, FileName)
	data, err := readFile(file)
	if err != nil {
		return nil, err
	}
	return Decode(file, data)
}

func readFile(file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return data, nil
}

// Encode renders settings as TOML.
func Encode(c *Config) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# gaiaflow project settings; every key is described in gaiaflow's README.\n")
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(false)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save writes settings atomically to dir/gaiaflow.toml.
func Save(dir string, c *Config) error {
	data, err := Encode(c)
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, FileName), data, 0o644)
}
