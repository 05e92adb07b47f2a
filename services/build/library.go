package build

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Library is the gaiaflow Python library bundled with the binary, injected
// so that this package does not depend on how it is bundled.
//
// The task image's Dockerfile assumes this runner contract:
//   - `python -m gaiaflow.runner` is importable from the image's PATH python
//     and needs no Airflow;
//   - it takes the call from the environment (GAIAFLOW_CALL, or
//     GAIAFLOW_CALL_PARTS with GAIAFLOW_CALL_1..n), never from its arguments,
//     so an operator may pass the runner command again as arguments;
//   - it writes the result where GAIAFLOW_RESULT_PICKLE (DockerOperator) or
//     GAIAFLOW_RESULT_JSON (KubernetesPodOperator) says;
//   - it exits 0 on success, 1 when the function raised, 2 when the
//     environment holds no call.
type Library struct {
	// Version is the library's version, the same as the binary's.
	Version string
	// Wheel writes a py3-none-any wheel of the library and returns its file
	// name (gaiaflow-<version>-py3-none-any.whl).
	Wheel func(w io.Writer) (filename string, err error)
}

// errNoLibrary is returned when a build needs the library and none was given.
var errNoLibrary = errors.New("the bundled gaiaflow library is not available in this build of gaiaflow")

// wheel renders the library's wheel and checks its name.
func (l Library) wheel() (name string, data []byte, err error) {
	if l.Wheel == nil {
		return "", nil, errNoLibrary
	}
	var buf bytes.Buffer
	name, err = l.Wheel(&buf)
	if err != nil {
		return "", nil, fmt.Errorf("write the gaiaflow wheel: %w", err)
	}
	if !strings.HasSuffix(name, ".whl") || strings.ContainsAny(name, `/\ `) {
		return "", nil, fmt.Errorf("the gaiaflow wheel has a bad file name %q", name)
	}
	return name, buf.Bytes(), nil
}
