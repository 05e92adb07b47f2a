package build

import (
	"regexp"
	"strings"
	"sync"

	"github.com/distribution/reference"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

const imageNameHint = "pass -i NAME:TAG, or set build.image in gaiaflow.toml"

// CheckImageName checks a task image name given by a person. It must carry a
// tag other than latest: Kubernetes always pulls :latest (and images without
// a tag, which mean :latest), and no registry holds a locally built image.
// It returns the name in its short form (demo:1.0, not docker.io/library/demo:1.0).
func CheckImageName(name string) (string, error) {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return "", errs.Usagef("use lower-case NAME:TAG, e.g. my_pkg:0.1.0", "image name %q is not valid: %v", name, err)
	}
	if _, ok := named.(reference.Digested); ok {
		return "", errs.Usagef("use NAME:TAG, e.g. my_pkg:0.1.0", "image name %q has a digest: a build can only give a tag", name)
	}
	tagged, ok := named.(reference.Tagged)
	if !ok {
		return "", errs.Usagef("add a tag, e.g. "+name+":0.1.0",
			"image name %q has no tag: it would mean :latest, which Kubernetes always tries to pull", name)
	}
	if tagged.Tag() == "latest" {
		return "", errs.Usagef("use a version tag, e.g. "+reference.FamiliarName(named)+":0.1.0",
			"image name %q uses the tag latest, which Kubernetes always tries to pull", name)
	}
	return reference.FamiliarString(named), nil
}

// Compiled on first use: at start-up they would slow every command, --help included.
var (
	badRepoChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9._-]+`) })
	badTagChars  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9_.-]+`) })
)

// defaultImageName is <package>:<version>, from the package's import name and
// the static version in pyproject.toml. A PEP 440 version such as 1.0+local
// becomes the tag 1.0-local.
func defaultImageName(pkg string, py *pyproject) (string, error) {
	if !py.exists {
		return "", errs.Usagef(imageNameHint, "the project has no pyproject.toml to take the image's version from")
	}
	v := strings.TrimSpace(py.Project.Version)
	if v == "" || py.dynamic("version") {
		return "", errs.Usagef(imageNameHint, "pyproject.toml has no static [project] version to tag the image with")
	}
	repo := strings.Trim(badRepoChars().ReplaceAllString(strings.ToLower(pkg), "-"), "._-")
	tag := strings.TrimLeft(badTagChars().ReplaceAllString(v, "-"), ".-")
	if len(tag) > 128 {
		tag = tag[:128]
	}
	return CheckImageName(repo + ":" + tag)
}

// ImageName picks the task image's name: the flag, else build.image from
// gaiaflow.toml, else <package>:<version> from pyproject.toml.
func ImageName(flag, configured, pkg, projectDir string) (string, error) {
	switch {
	case flag != "":
		return CheckImageName(flag)
	case configured != "":
		name, err := CheckImageName(configured)
		if err != nil {
			return "", errs.Wrap(errs.Usage, err, "fix build.image in gaiaflow.toml", "build.image")
		}
		return name, nil
	}
	py, err := readPyproject(projectDir)
	if err != nil {
		return "", err
	}
	return defaultImageName(pkg, py)
}

// checkBaseImage checks an image a generated Dockerfile starts FROM: any
// valid reference, tagged or pinned by digest.
func checkBaseImage(ref, setting string) error {
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		return errs.Usagef("set "+setting+" to an image reference such as python:3.12-slim", "base image %q is not valid: %v", ref, err)
	}
	return nil
}
