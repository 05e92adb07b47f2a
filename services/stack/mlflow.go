package stack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

const (
	mlflowPort = 5000
	// MLflowBucket is the bucket MLflow keeps artifacts in.
	MLflowBucket = "mlflow"
	minioPort    = 9000
	minioConsole = 9001
)

// mlflowAllowedHosts are the Host headers MLflow (3.5 and later) accepts:
// its own name on the stack's network and the loopback addresses its port
// is published on. A list instead of "*" keeps DNS rebinding out.
var mlflowAllowedHosts = []string{
	"mlflow", "mlflow:*", "localhost", "localhost:*", "127.0.0.1", "127.0.0.1:*",
	"host.docker.internal", "host.docker.internal:*", "host.minikube.internal", "host.minikube.internal:*",
}

// mlflowHosts are mlflowAllowedHosts and, linked to a cluster, the names
// pods reach MLflow at: a kubeconfig cluster's pods use the host's address
// itself, which MLflow would refuse as a possible DNS rebinding.
func (b *builder) mlflowHosts() []string {
	hosts := slices.Clone(mlflowAllowedHosts)
	if l := b.in.Cluster; l != nil {
		for _, h := range []string{l.HostAlias, l.HostIP} {
			if h != "" && !slices.Contains(hosts, h) {
				hosts = append(hosts, h, h+":*")
			}
		}
	}
	return hosts
}

func (b *builder) mlflow() {
	creds, svc := b.in.Creds, b.in.Config.Services.MLflow
	pg := b.postgres("mlflow", svc.DBImage, creds.MLflowDBPassword)
	n := &Node{
		Service: "mlflow", Component: "mlflow", ImageKey: "services.mlflow.image",
		Spec: docker.ContainerSpec{
			Image: svc.Image,
			// Settings go through the environment, which `mlflow server`
			// reads for each of its options; the database password is in
			// libpq's password file, the S3 keys in boto3's credentials
			// file (the image runs as root).
			Cmd: []string{"mlflow", "server", "--host", "0.0.0.0", "--port", fmt.Sprint(mlflowPort),
				"--workers", fmt.Sprint(max(svc.Workers, 1)),
				"--serve-artifacts", "--artifacts-destination", "s3://" + MLflowBucket},
			Env: []string{
				fmt.Sprintf("MLFLOW_BACKEND_STORE_URI=postgresql+psycopg2://mlflow@%s:5432/mlflow", pg.Component),
				"PGPASSFILE=" + secretPath(secretPgpass),
				"MLFLOW_S3_ENDPOINT_URL=" + minioURL,
				"AWS_SHARED_CREDENTIALS_FILE=" + secretPath(secretAWS),
				"AWS_DEFAULT_REGION=us-east-1",
				"MLFLOW_SERVER_ALLOWED_HOSTS=" + strings.Join(b.mlflowHosts(), ","),
				// MLflow 3.x starts a job runner and seven job consumers
				// unless told not to: ~2 GB and seconds of start-up that
				// a local stack spends only when asked ([services.mlflow]
				// jobs = true). Older MLflow ignores the variable.
				fmt.Sprintf("MLFLOW_SERVER_ENABLE_JOB_EXECUTION=%t", svc.Jobs != nil && *svc.Jobs),
			},
			Ports: []docker.PortBinding{published(mlflowPort, svc.Port)},
		},
		Deps:  []Dep{{pg.Component, Healthy}, {"minio", Healthy}},
		Ready: Readiness{Kind: ReadyHTTP, Port: mlflowPort, Path: "/health"},
		URLs:  []URL{{Name: "MLflow", URL: localURL(svc.Port, "")}},
	}
	addFiles(n, secretFile(secretPgpass, pgpass(pg.Component, "mlflow", "mlflow", creds.MLflowDBPassword), 0, 0),
		secretFile(secretAWS, awsCredentials(creds), 0, 0))
	b.forPods(n, mlflowPort, svc.Port)
	b.add(n)
}

func (b *builder) minio() {
	creds, svc := b.in.Creds, b.in.Config.Services.Minio
	n := &Node{
		Service: "minio", Component: "minio", ImageKey: "services.minio.image",
		Spec: docker.ContainerSpec{
			Image: svc.Image,
			Cmd:   []string{"server", "/data", "--address", fmt.Sprintf(":%d", minioPort), "--console-address", fmt.Sprintf(":%d", minioConsole)},
			// MinIO reads its root credentials from these files (its image runs as root).
			Env:    []string{"MINIO_ROOT_USER_FILE=" + secretPath(secretMinioUser), "MINIO_ROOT_PASSWORD_FILE=" + secretPath(secretMinioPassword)},
			Mounts: []docker.Mount{{Type: "volume", Source: b.volume("minio", "minio-data"), Target: "/data"}},
			Ports:  []docker.PortBinding{published(minioPort, svc.Port), published(minioConsole, svc.ConsolePort)},
		},
		Ready:  Readiness{Kind: ReadyHTTP, Port: minioPort, Path: "/minio/health/live"},
		Bucket: MLflowBucket,
		URLs: []URL{
			{Name: "S3 API", URL: localURL(svc.Port, "")},
			{Name: "MinIO console", URL: localURL(svc.ConsolePort, "")},
		},
	}
	addFiles(n, secretFile(secretMinioUser, creds.S3AccessKey, 0, 0), secretFile(secretMinioPassword, creds.S3SecretKey, 0, 0))
	// Pods need the S3 API, not the console.
	b.forPods(n, minioPort, svc.Port)
	b.add(n)
}
