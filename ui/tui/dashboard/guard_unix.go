//go:build unix

package dashboard

import (
	"os"

	"golang.org/x/sys/unix"
)

// guardOutput points fds 1 and 2 at the file stray and returns a duplicate
// of out (the terminal) to draw on, and how to put everything back.
func guardOutput(out *os.File, stray string) (*os.File, func(), error) {
	termFD, err := unix.Dup(int(out.Fd()))
	if err != nil {
		return nil, nil, err
	}
	savedErr, err := unix.Dup(2)
	if err != nil {
		_ = unix.Close(termFD)
		return nil, nil, err
	}
	f, err := os.OpenFile(stray, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		_ = unix.Close(termFD)
		_ = unix.Close(savedErr)
		return nil, nil, err
	}
	term := os.NewFile(uintptr(termFD), out.Name())
	if err := dup2(int(f.Fd()), 1); err != nil {
		_ = f.Close()
		_ = term.Close()
		_ = unix.Close(savedErr)
		return nil, nil, err
	}
	_ = dup2(int(f.Fd()), 2)
	restore := func() {
		_ = dup2(termFD, 1)
		_ = dup2(savedErr, 2)
		_ = unix.Close(savedErr)
		_ = f.Close()
		_ = term.Close()
	}
	return term, restore, nil
}
