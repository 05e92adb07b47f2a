package kit

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// ForKey names the kit image that stands in for each default image, by the
// gaiaflow.toml key that overrides it (services/project.DefaultImages).
var ForKey = map[string]string{
	"services.airflow.image":    "airflow",
	"services.airflow.db_image": "postgres",
	"services.mlflow.image":     "mlflow",
	"services.mlflow.db_image":  "postgres",
	"services.minio.image":      "minio",
	"services.jupyter.image":    "jupyter",
	"build.base_image":          "python",
}

// Pins are the versions the kit's recipes pin, read from their files.
type Pins struct {
	Python        string // the kit's Python minor (python/Dockerfile KIT_PYTHON)
	Airflow       string // airflow/requirements.txt apache-airflow==
	MLflow        string // mlflow/requirements.txt mlflow==
	PostgresMajor string // postgres/Dockerfile PG_MAJOR
	MinioVersion  string // minio/VERSION: a pseudo-version of the release's commit
	JupyterLab    string // jupyter/requirements.txt jupyterlab==

	dir  string
	errs []string
}

// ReadPins reads the pins of the kit under root (the repository root).
func ReadPins(root string) (Pins, error) {
	p := Pins{dir: filepath.Join(root, "e2e", "images")}
	p.Python = p.find("python/Dockerfile", `(?m)^ENV KIT_PYTHON=(\S+)$`)
	p.Airflow = p.find("airflow/requirements.txt", `(?m)^apache-airflow==(\S+)$`)
	p.MLflow = p.find("mlflow/requirements.txt", `(?m)^mlflow==(\S+)$`)
	p.PostgresMajor = p.find("postgres/Dockerfile", `(?m)^ENV PG_MAJOR=(\S+)$`)
	p.MinioVersion = p.find("minio/VERSION", `^\s*(\S+)\s*$`)
	p.JupyterLab = p.find("jupyter/requirements.txt", `(?m)^jupyterlab==(\S+)$`)
	if len(p.errs) > 0 {
		return p, fmt.Errorf("read the kit's pins: %s", strings.Join(p.errs, "; "))
	}
	return p, nil
}

// find returns the first group of pattern in the recipe file.
func (p *Pins) find(file, pattern string) string {
	data, err := os.ReadFile(filepath.Join(p.dir, file))
	if err != nil {
		p.errs = append(p.errs, err.Error())
		return ""
	}
	m := regexp.MustCompile(pattern).FindSubmatch(data)
	if m == nil {
		p.errs = append(p.errs, fmt.Sprintf("e2e/images/%s has no line matching %s", file, pattern))
		return ""
	}
	return string(m[1])
}

// minioPseudoRE is a Go pseudo-version: v0.0.0-YYYYMMDDhhmmss-commit.
var minioPseudoRE = regexp.MustCompile(`^v0\.0\.0-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-[0-9a-f]{12}$`)

// MinioRelease is the MinIO release tag (RELEASE.YYYY-MM-DDThh-mm-ssZ) the
// kit's pseudo-version stands for: MinIO tags each release with the time of
// its commit, which the pseudo-version carries.
func (p Pins) MinioRelease() (string, error) {
	m := minioPseudoRE.FindStringSubmatch(p.MinioVersion)
	if m == nil {
		return "", fmt.Errorf("e2e/images/minio/VERSION %q is not a pseudo-version of a release commit (v0.0.0-YYYYMMDDhhmmss-commit)", p.MinioVersion)
	}
	return fmt.Sprintf("RELEASE.%s-%s-%sT%s-%s-%sZ", m[1], m[2], m[3], m[4], m[5], m[6]), nil
}
