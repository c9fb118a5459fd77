// Package state is the plugin state shared by evaluation and output.
package state

// State is a plugin state; the values are the exit codes.
type State int

const (
	OK       State = 0
	Warning  State = 1
	Critical State = 2
	Unknown  State = 3
)

func (s State) String() string {
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
func (s State) rank() int {
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

// Worse returns the more severe state: CRITICAL > UNKNOWN > WARNING > OK.
func Worse(a, b State) State {
	if b.rank() > a.rank() {
		return b
	}
	return a
}
