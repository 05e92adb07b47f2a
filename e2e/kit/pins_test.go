package kit

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// The kit stands for the stack's default images: each version it pins is
// the version of the default image it replaces in the tests. A bump on
// either side without the other fails here, and says what must follow.
func TestKitPinsEqualDefaultImages(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pins, err := ReadPins(root)
	if err != nil {
		t.Fatal(err)
	}
	release, err := pins.MinioRelease()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what, kit, kitFile, def, defName string
	}{
		{"Airflow", pins.Airflow, "airflow/requirements.txt (then run e2e/images/lock.sh airflow)", project.AirflowVersion, "AirflowVersion"},
		{"MLflow", pins.MLflow, "mlflow/requirements.txt (then run e2e/images/lock.sh mlflow)", project.MLflowVersion, "MLflowVersion"},
		{"PostgreSQL major", pins.PostgresMajor, "postgres/Dockerfile PG_MAJOR (a Debian suite that ships it)", project.PostgresMajor, "PostgresMajor"},
		{"MinIO release", release, "minio/VERSION (the pseudo-version of the release tag's commit)", project.MinioRelease, "MinioRelease"},
		{"JupyterLab", pins.JupyterLab, "jupyter/requirements.txt (then run e2e/images/lock.sh jupyter)", project.JupyterLabVersion, "JupyterLabVersion"},
	} {
		if c.kit != c.def {
			t.Errorf("%s: the kit pins %s in e2e/images/%s, the default image runs %s (project.%s in services/project/defaultimages.go): change one to match",
				c.what, c.kit, c.kitFile, c.def, c.defName)
		}
	}
	if !strings.HasPrefix(project.PostgresVersion, project.PostgresMajor+".") {
		t.Errorf("project.PostgresVersion %s is not of major %s", project.PostgresVersion, project.PostgresMajor)
	}

	// The kit's Python is one a project can declare, and the default images
	// for it are the ones the kit's images stand for.
	cfg := &project.Config{Name: "kit", Package: "kit", Python: pins.Python}
	cfg.ApplyDefaults()
	if errs := cfg.Validate(); len(errs) > 0 {
		t.Fatalf("the kit's Python %s (e2e/images/python/Dockerfile KIT_PYTHON) is not one a project can declare: %v", pins.Python, errs)
	}
	if want := "apache/airflow:" + pins.Airflow + "-python" + pins.Python; cfg.Services.Airflow.Image != want {
		t.Errorf("the default Airflow image for Python %s is %s, want %s (the kit's Airflow on the kit's Python)",
			pins.Python, cfg.Services.Airflow.Image, want)
	}
}

// Every default image has a kit image standing in for it, and the kit's
// settings put that image under the default's key.
func TestEveryDefaultImageHasAKitImage(t *testing.T) {
	img := Images{"python": "k/python:1", "postgres": "k/postgres:1", "airflow": "k/airflow:1",
		"mlflow": "k/mlflow:1", "minio": "k/minio:1", "jupyter": "k/jupyter:1"}
	set := Settings(img, Ports{Airflow: 1, MLflow: 2, MinIO: 3, MinIOConsole: 4, Jupyter: 5})
	var keys []string
	for _, d := range project.DefaultImages("3.11") {
		keys = append(keys, d.Key)
		name, ok := ForKey[d.Key]
		if !ok {
			t.Errorf("no kit image stands for %s (%s): add it to ForKey", d.Key, d.Ref)
			continue
		}
		table, key := d.Key[:strings.LastIndex(d.Key, ".")], d.Key[strings.LastIndex(d.Key, ".")+1:]
		if got := set[table][key]; got != Quote(img[name]) {
			t.Errorf("Settings puts %s under %s, want the kit's %s image %s", got, d.Key, name, img[name])
		}
	}
	for key := range ForKey {
		if !slices.Contains(keys, key) {
			t.Errorf("ForKey names %s, which is not a default image's key", key)
		}
	}
}

// Every reliance can be checked: a command to run, or a check of the e2e
// suite's own (e2e/kitreliance_test.go lists those by ID).
func TestReliancesAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, py := range []string{"3.10", "3.11", "3.12", "3.13"} {
		for _, d := range project.DefaultImages(py) {
			if d.Ref == "" || d.Seen == "" || d.Program == "" {
				t.Errorf("%s: Ref, Program and Seen are required: %+v", d.Key, d)
			}
			for _, r := range d.Relies {
				if r.ID == "" || r.What == "" || r.Kit == "" {
					t.Errorf("%s: a reliance needs an ID, What and Kit: %+v", d.Key, r)
				}
				if (len(r.Cmd) == 0) != (r.Want == "") {
					t.Errorf("%s: reliance %s has a Cmd without a Want or the other way round", d.Key, r.ID)
				}
				if py == "3.12" {
					if seen[r.ID] {
						t.Errorf("reliance ID %s appears twice", r.ID)
					}
					seen[r.ID] = true
				}
			}
		}
	}
}
