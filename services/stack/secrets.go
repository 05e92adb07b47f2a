package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Secrets never go into a container's environment or command line: both
// show in `docker inspect`. Each program reads them from files copied into
// its container before it starts (read-only, owned by the user it runs
// as), through a mechanism the program has: Postgres's POSTGRES_PASSWORD_FILE,
// Airflow's _CMD variants of its sensitive settings, MinIO's root
// credential files, libpq's password file for MLflow, a shared AWS
// credentials file for boto3 (MLflow, tasks, notebooks) and a Jupyter
// config file for the token.

// SecretsDir is where a container finds its secret files.
const SecretsDir = "/run/secrets/gaiaflow"

// The users the default images run their programs as; a secret file
// belongs to the one that reads it.
const (
	postgresUID, postgresGID = 999, 999 // the official image's postgres (and the kit's)
	jupyterUID, jupyterGID   = 1000, 100
)

// Secret file names, in SecretsDir.
const (
	secretPostgresPassword = "postgres-password"
	secretSQLAlchemyConn   = "sql_alchemy_conn"
	secretFernetKey        = "fernet_key"
	secretJWT              = "jwt_secret"
	secretAPIKey           = "api_secret_key"
	secretAWS              = "aws-credentials"
	secretPgpass           = "pgpass"
	secretMinioUser        = "minio-root-user"
	secretMinioPassword    = "minio-root-password"
	secretJupyterConfig    = "jupyter_server_config.json"
	secretAirflowPasswords = "airflow-passwords.json"
)

// secretPath is a secret file's path in a container.
func secretPath(name string) string { return SecretsDir + "/" + name }

// at is a file copied to an absolute path: nodes copy into "/", so files
// for several directories go in one copy.
func at(abs string, data []byte, mode int64, uid, gid int) docker.File {
	return docker.File{Name: strings.TrimPrefix(abs, "/"), Data: data, Mode: mode, UID: uid, GID: gid}
}

// secretFile is a read-only secret for the user uid:gid.
func secretFile(name, value string, uid, gid int) docker.File {
	return at(secretPath(name), []byte(value), 0o400, uid, gid)
}

// awsCredentials is a shared credentials file boto3 reads
// (AWS_SHARED_CREDENTIALS_FILE), with the keys as its default profile.
func awsCredentials(c project.Credentials) string {
	return "[default]\naws_access_key_id = " + c.S3AccessKey + "\naws_secret_access_key = " + c.S3SecretKey + "\n"
}

// pgpass is libpq's password file for one database user.
func pgpass(host, db, user, password string) string {
	return fmt.Sprintf("%s:5432:%s:%s:%s\n", host, db, user, password)
}

// jupyterConfig is a Jupyter server config file holding the token.
func jupyterConfig(token string) string {
	b, _ := json.Marshal(map[string]any{"IdentityProvider": map[string]string{"token": token}})
	return string(b) + "\n"
}

// cmdEnv is an Airflow _CMD setting: Airflow runs the command (no shell)
// and takes its output as the value.
func cmdEnv(key, secret string) string { return key + "_CMD=cat " + secretPath(secret) }

// addFiles gives n files to copy into it before it starts, at their
// absolute paths.
func addFiles(n *Node, files ...docker.File) {
	n.Files = append(n.Files, files...)
	n.FilesDir = "/"
}

// TaskCredentialsFile is the shared AWS credentials file in the state
// directory that `dev_docker` task containers get mounted read-only
// (GAIAFLOW_DOCKER_AWS_CREDENTIALS names it): they are started by the
// engine, not by gaiaflow, so nothing can be copied into them first.
const TaskCredentialsFile = "task-aws-credentials"

// writeTaskCredentials keeps the state directory's copy of the task
// credentials (mode 0400) and returns its path; an unchanged file is not
// written again.
func writeTaskCredentials(st *project.State, c project.Credentials) (string, error) {
	p := st.Path(TaskCredentialsFile)
	data := []byte(awsCredentials(c))
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
		return p, nil
	}
	if err := project.WriteFileAtomic(p, data, 0o400); err != nil {
		return "", fmt.Errorf("write the task credentials: %w", err)
	}
	return p, nil
}

// ownerIDs parses a container user "uid:gid"; an empty or other one (a
// name) is the image's default user, def.
func ownerIDs(user string, defUID, defGID int) (uid, gid int) {
	u, g, ok := strings.Cut(user, ":")
	if !ok {
		return defUID, defGID
	}
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if err1 != nil || err2 != nil {
		return defUID, defGID
	}
	return uid, gid
}
