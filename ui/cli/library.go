package cli

import "github.com/gaiaflow/gaiaflow/services/build"

// taskLibrary is the gaiaflow Python library bundled with this binary, which
// task images and the Airflow runtime image install.
//
// The library (github.com/gaiaflow/gaiaflow/pylib: pylib.Version and
// pylib.WriteWheel) is not wired in yet. Until it is, builds that need it
// say so plainly, and a project with its own Dockerfile still builds.
func taskLibrary() build.Library {
	return build.Library{}
}
