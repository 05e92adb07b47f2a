package project

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/pelletier/go-toml/v2/unstable"
)

// SetTopLevelString returns data with the top-level key set to value,
// changing only that value's bytes so the user's comments and layout stay
// as they were. A missing key is added before the first table.
func SetTopLevelString(data []byte, key, value string) ([]byte, error) {
	quoted := []byte(strconv.Quote(value))
	var p unstable.Parser
	p.Reset(data)
	firstTable := -1
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind == unstable.Table || e.Kind == unstable.ArrayTable {
			if firstTable < 0 {
				// The header's '[' comes just before its first key.
				k := e.Key()
				k.Next()
				off := int(k.Node().Raw.Offset)
				for off > 0 && data[off-1] != '\n' {
					off--
				}
				firstTable = off
			}
			break
		}
		if e.Kind != unstable.KeyValue {
			continue
		}
		parts := keyParts(e.Key())
		if len(parts) != 1 || parts[0] != key {
			continue
		}
		v := e.Value()
		r := v.Raw
		if v.Kind != unstable.String {
			return nil, fmt.Errorf("%s is not a string in %s", key, FileName)
		}
		// A string value's Raw spans its quotes.
		start, end := int(r.Offset), int(r.Offset+r.Length)
		out := append([]byte{}, data[:start]...)
		out = append(out, quoted...)
		return append(out, data[end:]...), nil
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", FileName, err)
	}
	line := append([]byte(key+" = "), quoted...)
	line = append(line, '\n')
	if firstTable < 0 {
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		return append(append([]byte{}, data...), line...), nil
	}
	out := append([]byte{}, data[:firstTable]...)
	out = append(out, line...)
	return append(out, data[firstTable:]...), nil
}

// SetMode changes the mode in dir/gaiaflow.toml, keeping the rest of the file
// byte for byte, and checks the result before writing it.
func SetMode(dir, mode string) error {
	file := filepath.Join(dir, FileName)
	data, err := readFile(file)
	if err != nil {
		return err
	}
	out, err := SetTopLevelString(data, "mode", mode)
	if err != nil {
		return err
	}
	if _, err := Decode(file, out); err != nil {
		return err
	}
	return WriteFileAtomic(file, out, 0o644)
}
