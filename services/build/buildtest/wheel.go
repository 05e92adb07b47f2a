package buildtest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"time"
)

// StandInVersion is the version of the stand-in library.
const StandInVersion = "0.0.1.dev0"

// standInRunner is a stand-in for gaiaflow's task runner: the smallest
// program that keeps the runner contract task images assume (see
// build.Library). The real runner lives in pylib/.
const standInRunner = `"""Stand-in for gaiaflow's task runner, for gaiaflow's Go tests only."""
import importlib
import json
import os
import pickle
import sys


def main():
    call = os.environ.get("GAIAFLOW_CALL")
    if call is None:
        print("gaiaflow runner (stand-in): GAIAFLOW_CALL is not set", file=sys.stderr)
        return 2
    call = json.loads(call)
    module, _, attr = call["func_path"].partition(":")
    target = importlib.import_module(module)
    for part in attr.split("."):
        target = getattr(target, part)
    result = json.dumps(target(*call.get("args", []), **call.get("kwargs", {})))
    path = os.environ.get("GAIAFLOW_RESULT_PICKLE")
    if path:
        with open(path, "wb") as f:
            pickle.dump(result, f, protocol=4)
    path = os.environ.get("GAIAFLOW_RESULT_JSON")
    if path:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
`

// StandInWheel writes a py3-none-any wheel of a stand-in gaiaflow library
// (gaiaflow/__init__.py and the stand-in runner) and returns its file name:
// the shape of pylib's WriteWheel, for tests of builds that need the library.
func StandInWheel(w io.Writer) (string, error) {
	return Wheel(w, "gaiaflow", StandInVersion, []WheelFile{
		{"gaiaflow/__init__.py", fmt.Sprintf("\"\"\"Stand-in of the gaiaflow library for gaiaflow's Go tests.\"\"\"\n__version__ = %q\n", StandInVersion)},
		{"gaiaflow/runner.py", standInRunner},
	})
}

// WheelFile is one file of a wheel, by its path inside the wheel.
type WheelFile struct{ Name, Body string }

// Wheel writes a py3-none-any wheel of the distribution name (a Python
// identifier) at version holding files, with the metadata pip needs, and
// returns its file name. The bytes depend only on the arguments.
func Wheel(w io.Writer, name, version string, files []WheelFile) (string, error) {
	distInfo := name + "-" + version + ".dist-info/"
	files = append(slices.Clone(files),
		WheelFile{distInfo + "METADATA", "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\nSummary: made by gaiaflow's Go tests\n"},
		WheelFile{distInfo + "WHEEL", "Wheel-Version: 1.0\nGenerator: gaiaflow-buildtest\nRoot-Is-Purelib: true\nTag: py3-none-any\n"})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record bytes.Buffer
	// A fixed time keeps the wheel's bytes, and so the build cache, stable.
	stamp := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(name, body string) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, body)
		return err
	}
	for _, f := range files {
		if err := add(f.Name, f.Body); err != nil {
			return "", err
		}
		sum := sha256.Sum256([]byte(f.Body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.Name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.Body))
	}
	fmt.Fprintf(&record, "%sRECORD,,\n", distInfo)
	if err := add(distInfo+"RECORD", record.String()); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return "", err
	}
	return name + "-" + version + "-py3-none-any.whl", nil
}
