package cli

import (
	"github.com/gaiaflow/gaiaflow/pylib"
	"github.com/gaiaflow/gaiaflow/services/build"
)

// taskLibrary is the gaiaflow Python library bundled with this binary, which
// task images and the Airflow runtime image install at exactly its version.
func taskLibrary() build.Library {
	return build.Library{Version: pylib.Version(), Wheel: pylib.WriteWheel}
}
