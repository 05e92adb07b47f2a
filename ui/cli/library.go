package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/pylib"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func newLibrary(a *App) *cobra.Command {
	var out string
	wheel := &cobra.Command{
		Use:   "wheel",
		Short: "Write the bundled gaiaflow Python library as a wheel, for your own environment",
		Long: `Write the gaiaflow Python library bundled with this binary (the version task
images and the Airflow runtime image get) as a wheel into --out, and print
its path. Install it where you run or test your DAGs:

  pip install "$(gaiaflow library wheel --out dist)"`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(out, 0o755); err != nil {
				return errs.Wrap(errs.Usage, err, "pass --out a directory you can write to", "create %s", out)
			}
			path := filepath.Join(out, pylib.WheelFilename())
			var buf bytes.Buffer
			if _, err := pylib.WriteWheel(&buf); err != nil {
				return fmt.Errorf("build the wheel: %w", err)
			}
			if err := project.WriteFileAtomic(path, buf.Bytes(), 0o644); err != nil {
				return err
			}
			return a.Emit(map[string]string{"wheel": path, "version": pylib.Version()}, func(w io.Writer) {
				fmt.Fprintln(w, path)
			})
		},
	}
	wheel.Flags().StringVar(&out, "out", ".", "directory to write the wheel into")
	return group("library", "The gaiaflow Python library bundled with this binary",
		"The gaiaflow Python library (create_task, FromTask) at exactly this binary's version.", wheel)
}
