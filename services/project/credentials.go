package project

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"

	"github.com/gaiaflow/gaiaflow/services/errs"
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
	if c, ok, err := s.readCredentials(); err != nil || ok {
		return c, err
	}
	unlock, err := s.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Another process may have written them while we waited for the lock.
	if c, ok, err := s.readCredentials(); err != nil || ok {
		return c, err
	}
	var c Credentials
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

// readCredentials reads the stored credentials. A file that is there but
// cannot be read, or is damaged, is an error, never a reason to make new
// ones: the databases' volumes keep the passwords it holds, and new ones
// would lock the stack out of its own data.
func (s *State) readCredentials() (*Credentials, bool, error) {
	var c Credentials
	path := s.Path(credentialsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, errs.Wrap(errs.Failure, err, "check the file's owner and mode (0600, yours)", "cannot read the project's credentials")
	}
	err = json.Unmarshal(data, &c)
	if err == nil && (c.AirflowDBPassword == "" || c.S3SecretKey == "" || c.FernetKey == "") {
		err = errors.New("values are missing")
	}
	if err != nil {
		return nil, false, errs.Failf("restore it from a backup (gaiaflow never rewrites it: the data volumes keep the passwords in it); "+
			"or start over with new credentials: delete it and the project's volumes (`gaiaflow dev cleanup --prune`)",
			"the project's credentials file %s is damaged (%v)", path, err)
	}
	return &c, true, nil
}
