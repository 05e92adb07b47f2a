package buildtest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// airflowStandInDockerfile shapes an image like the official Airflow one
// where gaiaflow's derived image relies on it: a non-root user "airflow",
// whose environment's pip and python3 come first on PATH. There is no
// Airflow in it; the Airflow image tests check the derived layers only.
const airflowStandInDockerfile = `FROM %s
RUN useradd --create-home --uid 50000 airflow \
 && python3 -m venv /home/airflow/env \
 && chown -R airflow /home/airflow/env
ENV PATH=/home/airflow/env/bin:$PATH
USER airflow
`

// AirflowStandIn returns the tag of a stand-in of the Airflow image built on
// base, building it on first use.
func AirflowStandIn(t testing.TB, c *docker.Client, base string) string {
	t.Helper()
	df := []byte(sprintf(airflowStandInDockerfile, base))
	sum := sha256.Sum256(df)
	tag := "gaiaflow-test/airflow-standin:" + hex.EncodeToString(sum[:])[:12]
	ctx := context.Background()
	if _, found, err := c.InspectImage(ctx, tag); err != nil {
		t.Fatal(err)
	} else if found {
		return tag
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(df); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BuildImage(ctx, &buf, docker.BuildOptions{Tags: []string{tag}}, nil); err != nil {
		t.Fatalf("build the Airflow stand-in: %v", err)
	}
	return tag
}
