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
			path, err := writeWheel(out)
			if err != nil {
				return err
			}
			return a.Emit(map[string]string{"wheel": path, "version": pylib.Version()}, func(w io.Writer) {
				fmt.Fprintln(w, path)
			})
		},
	}
	wheel.Flags().StringVar(&out, "out", ".", "directory to write the wheel into")

	var python string
	install := &cobra.Command{
		Use:   "install",
		Short: "Install the bundled gaiaflow Python library into the project's environment",
		Long: `Install the gaiaflow Python library bundled with this binary into the project's
own environment, where you run its tests and DAGs: its .venv (uv, pip), its pixi
environment (.pixi/envs/default), the conda environment its environment.yml
names, or else the active one; --python names the interpreter instead. It
installs from the binary, without an index or a download: with the
environment's pip, or uv where the environment has no pip.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			env := pylib.Environment{Python: python, Kind: "python", Where: "--python"}
			if python == "" {
				p, err := a.Core().Project()
				if err != nil {
					return err
				}
				if env, err = pylib.FindEnvironment(p.Dir, a.Getenv); err != nil {
					return err
				}
			}
			tmp, err := os.MkdirTemp("", "gaiaflow-library-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			path, err := writeWheel(tmp)
			if err != nil {
				return err
			}
			tool, err := pylib.InstallWheel(cmd.Context(), env.Python, path)
			if err != nil {
				return err
			}
			return a.Emit(map[string]string{"version": pylib.Version(), "python": env.Python, "kind": env.Kind, "tool": tool},
				func(w io.Writer) {
					fmt.Fprintf(w, "installed gaiaflow %s into %s (%s), with %s\n", pylib.Version(), env.Where, env.Python, tool)
				})
		},
	}
	install.Flags().StringVar(&python, "python", "", "the interpreter of the environment to install into (default: the project's, found)")
	return group("library", "The gaiaflow Python library bundled with this binary",
		"The gaiaflow Python library (create_task, FromTask) at exactly this binary's version.", wheel, install)
}

// writeWheel writes the bundled library's wheel into dir and returns its path.
func writeWheel(dir string) (string, error) {
	path := filepath.Join(dir, pylib.WheelFilename())
	var buf bytes.Buffer
	if _, err := pylib.WriteWheel(&buf); err != nil {
		return "", fmt.Errorf("build the wheel: %w", err)
	}
	return path, project.WriteFileAtomic(path, buf.Bytes(), 0o644)
}
