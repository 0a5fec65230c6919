package cli

import (
	"fmt"
	"io"
	"os"
)

// IOStreams are the standard streams of one invocation. Tests pass buffers;
// main passes the process's own streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// Printf writes to standard output.
func (s *IOStreams) Printf(format string, args ...any) { fmt.Fprintf(s.Out, format, args...) }

// Errorf writes to standard error.
func (s *IOStreams) Errorf(format string, args ...any) { fmt.Fprintf(s.ErrOut, format, args...) }

// ErrIsTerminal reports whether standard error is a terminal, where progress
// indicators make sense.
func (s *IOStreams) ErrIsTerminal() bool {
	f, ok := s.ErrOut.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
