package scaffold

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Result says what Generate did.
type Result struct {
	Dir     string   // absolute path of the project
	Created []string // files written, slash-separated, relative to Dir
	Kept    []string // files that existed already and were left as they were (--force)
}

// CheckTarget reports whether a project may be generated in dir: a directory
// that does not exist yet or is empty; with force, any directory.
func CheckTarget(dir string, force bool) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return errs.Wrap(errs.Failure, err, "check the path and its permissions", "cannot use %s", dir)
	}
	if !st.IsDir() {
		return errs.Usagef("choose a new or empty directory", "%s exists and is not a directory", dir)
	}
	if force {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return errs.Wrap(errs.Failure, err, "check the directory's permissions", "cannot read %s", dir)
	}
	if len(entries) > 0 {
		return errs.Usagef("choose a new or empty directory, or pass --force to add only the files that are missing (no existing file is replaced or deleted)",
			"%s is not empty (%d entries)", dir, len(entries))
	}
	return nil
}

// Generate writes the project the answers describe into dir.
//
// The files are first written to a temporary directory beside dir. A new
// dir is then that directory renamed into place, so it appears whole or not
// at all. An existing dir (empty, or any with Options.Force) receives each
// file by a hard link that fails rather than replace what is there: such a
// file is kept and listed in Result.Kept, and a failure half-way removes
// everything this call added. Nothing existing is ever replaced or deleted.
func Generate(dir string, a Answers, o Options) (*Result, error) {
	files, err := Render(a, o)
	if err != nil {
		return nil, errs.Wrap(errs.Usage, err, "run `gaiaflow init --help` for what each answer allows", "")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", dir, err)
	}
	if err := CheckTarget(abs, o.Force); err != nil {
		return nil, err
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, errs.Wrap(errs.Failure, err, "check the path and its permissions", "create %s", parent)
	}
	tmp, err := os.MkdirTemp(parent, ".gaiaflow-init-*")
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "check that "+parent+" is writable", "create a temporary directory")
	}
	defer os.RemoveAll(tmp)
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.Path, err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	res := &Result{Dir: abs}
	if _, err := os.Lstat(abs); errors.Is(err, fs.ErrNotExist) {
		if err := os.Chmod(tmp, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", abs, err)
		}
		if err := os.Rename(tmp, abs); err == nil {
			res.Created = Paths(files)
			return res, nil
		}
		// Someone made abs meanwhile: fall through to the careful merge.
	}
	if err := merge(tmp, abs, files, res); err != nil {
		return nil, errs.Wrap(errs.Failure, err, "nothing was left behind; fix the cause and run init again", "generate the project in %s", abs)
	}
	return res, nil
}

// merge moves each file of src into dst without replacing anything; on error
// it removes what it added.
func merge(src, dst string, files []File, res *Result) (err error) {
	var madeDirs, madeFiles []string
	defer func() {
		if err == nil {
			return
		}
		for _, f := range slices.Backward(madeFiles) {
			_ = os.Remove(f)
		}
		for _, d := range slices.Backward(madeDirs) {
			_ = os.Remove(d)
		}
		res.Created, res.Kept = nil, nil
	}()
	mkdirs := func(dir string) error {
		var missing []string
		for d := dir; d != dst; d = filepath.Dir(d) {
			if _, err := os.Lstat(d); err == nil {
				break
			}
			missing = append(missing, d)
		}
		for _, d := range slices.Backward(missing) {
			if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			madeDirs = append(madeDirs, d)
		}
		return nil
	}
	for _, f := range files {
		from := filepath.Join(src, filepath.FromSlash(f.Path))
		to := filepath.Join(dst, filepath.FromSlash(f.Path))
		if err := mkdirs(filepath.Dir(to)); err != nil {
			return fmt.Errorf("create the folder of %s: %w", f.Path, err)
		}
		created, err := placeNew(from, to)
		if err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if created {
			madeFiles = append(madeFiles, to)
			res.Created = append(res.Created, f.Path)
		} else {
			res.Kept = append(res.Kept, f.Path)
		}
	}
	return nil
}

// placeNew puts the file from at to unless something already exists at to,
// in which case it reports false and leaves both alone.
func placeNew(from, to string) (bool, error) {
	err := os.Link(from, to)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	// No hard links here (another file system, or one without them): copy
	// into a file that must not exist yet.
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	in, err := os.Open(from)
	if err != nil {
		_ = out.Close()
		_ = os.Remove(to)
		return false, err
	}
	defer in.Close()
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		_ = os.Remove(to)
		return false, err
	}
	if err := out.Close(); err != nil {
		_ = os.Remove(to)
		return false, err
	}
	return true, nil
}
