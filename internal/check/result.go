// Package check talks Nagios: states, results, perfdata, the output
// budget, and the run lifecycle (flags, timeout, rendering in go-nagios's
// format; go-nagios owns the exit). It is the only package besides cmd/*
// that imports go-nagios.
package check

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/status"
)

// Perf is one perfdata item; numbers are preformatted integers.
type Perf struct {
	Label                            string
	Value, UOM, Warn, Crit, Min, Max string
}

// Item is a droppable part of the long output with its perfdata: a
// problem line, a container.
type Item struct {
	Lines []string
	Perf  []Perf
}

// Result is what a check found. Rendering keeps the summary, Head, Tail
// and Perf, and as many Items (most important first) as the budget allows.
type Result struct {
	State   status.Status
	Summary string // the first line, without the state prefix
	Head    []string
	Items   []Item
	// More words the line that replaces the items dropped, given their
	// number: "3 more problems not shown (-v shows all)".
	More func(dropped int) string
	Tail []string
	Perf []Perf
	// Detail is perfdata of the least importance (every resource of a
	// container, a million values on a big node): the budget trims it
	// before any long output, and a last line then says how many values
	// are missing.
	Detail   PerfList
	MaxBytes int // output budget in bytes; 0 means no limit
}

// Unknownf returns an UNKNOWN result; todo lines (what to do) go to the
// long output.
func Unknownf(todo []string, format string, args ...any) Result {
	return Result{State: status.Unknown, Summary: fmt.Sprintf(format, args...), Head: todo}
}

// FromError is the UNKNOWN result of an error; a *hint.Error in its chain
// puts its hints (what to do) in the long output.
func FromError(err error) Result {
	var h *hint.Error
	if errors.As(err, &h) {
		return Unknownf(h.Hints, "%s", err)
	}
	return Unknownf(nil, "%s", err)
}

// Label makes a perfdata label from parts: lower case (go-nagios keys
// metrics case-insensitively), only [a-z0-9_.-], parts joined by '_'.
func Label(parts ...string) string {
	for _, p := range parts {
		if strings.IndexFunc(p, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
			// Unicode lower-casing may change the length: do it first.
			lower := make([]string, len(parts))
			for i, p := range parts {
				lower[i] = strings.ToLower(p)
			}
			return joinLabel(lower)
		}
	}
	return joinLabel(parts)
}

// joinLabel is Label after Unicode lower-casing, in one allocation: checks
// make a million labels.
func joinLabel(parts []string) string {
	n := len(parts) - 1
	for _, p := range parts {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('_')
		}
		for k := 0; k < len(p); k++ {
			switch c := p[k]; {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-':
				b.WriteByte(c)
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			default:
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}
