// Package status is a check's result state (OK, WARNING, CRITICAL,
// UNKNOWN), shared by evaluation and output; the values are the exit codes.
package status

import "cmp"

// Status is a plugin status; the values are the exit codes.
type Status int

// The four plugin states, as exit codes.
const (
	OK       Status = 0
	Warning  Status = 1
	Critical Status = 2
	Unknown  Status = 3
)

func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	}
	return "UNKNOWN"
}

// rank orders states: a check that could not read one part but saw a
// critical problem in another is CRITICAL, not UNKNOWN.
func (s Status) rank() int {
	switch s {
	case OK:
		return 0
	case Warning:
		return 1
	case Unknown:
		return 2
	}
	return 3
}

// Compare orders states by severity, CRITICAL > UNKNOWN > WARNING > OK:
// negative when a is less severe than b. Worst-first sorts use
// Compare(b, a).
func Compare(a, b Status) int { return cmp.Compare(a.rank(), b.rank()) }

// Worse returns the more severe state.
func Worse(a, b Status) Status {
	if Compare(b, a) > 0 {
		return b
	}
	return a
}
