// Package hint is the one error type that says what to do: a failure
// worded for the UNKNOWN line, with hint lines for the long output.
package hint

import (
	"errors"
	"io/fs"
)

// Error is a failure worded for an UNKNOWN line (Msg), with what to do
// about it (Hints, one long-output line each) and its cause (Err, for
// errors.Is).
type Error struct {
	Msg   string
	Hints []string
	Err   error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// PathErr is the cause of a *fs.PathError ("permission denied"), for a
// message that names the path itself; any other error is returned as is.
func PathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
