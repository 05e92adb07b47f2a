package project

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
)

// Credentials are generated once per project and kept in the state directory
// with mode 0600. They are never written to gaiaflow.toml, printed or logged.
type Credentials struct {
	AirflowAdminUser     string `json:"airflow_admin_user"`
	AirflowAdminPassword string `json:"airflow_admin_password"`
	AirflowDBPassword    string `json:"airflow_db_password"`
	MLflowDBPassword     string `json:"mlflow_db_password"`
	S3AccessKey          string `json:"s3_access_key"`
	S3SecretKey          string `json:"s3_secret_key"`
	JWTSecret            string `json:"jwt_secret"`
	FernetKey            string `json:"fernet_key"`
	JupyterToken         string `json:"jupyter_token"`
}

const credentialsFile = "credentials.json"

// Credentials returns the project's credentials, generating and storing them
// on first use. It takes the project lock so two processes agree on them.
func (s *State) Credentials(ctx context.Context) (*Credentials, error) {
	var c Credentials
	if ok, err := s.ReadJSON(credentialsFile, &c); err != nil || ok {
		return &c, err
	}
	unlock, err := s.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Another process may have written them while we waited for the lock.
	if ok, err := s.ReadJSON(credentialsFile, &c); err != nil || ok {
		return &c, err
	}
	fernet := make([]byte, 32)
	_, _ = rand.Read(fernet)
	c = Credentials{
		AirflowAdminUser:     "admin",
		AirflowAdminPassword: token(18),
		AirflowDBPassword:    token(18),
		MLflowDBPassword:     token(18),
		S3AccessKey:          "gf" + token(9),
		S3SecretKey:          token(24),
		JWTSecret:            token(32),
		FernetKey:            base64.URLEncoding.EncodeToString(fernet),
		JupyterToken:         token(24),
	}
	if err := s.WriteJSON(credentialsFile, &c, 0o600); err != nil {
		return nil, err
	}
	return &c, nil
}

// token returns n random bytes as hex: safe in URLs, env files and TOML alike.
func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never returns an error (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}
