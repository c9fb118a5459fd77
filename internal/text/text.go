// Package text makes text from files and flags (container names, config
// values, arguments) safe to print in plugin output.
package text

import (
	"strings"
	"unicode/utf8"
)

// Clean returns s with no line breaks or control bytes, no '|' (which
// starts perfdata), invalid UTF-8 replaced, and at most max bytes plus
// "..." when cut.
func Clean(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '|':
			r = '/'
		case r < 0x20 || r == 0x7f || r == utf8.RuneError || r >= 0x80 && r < 0xa0:
			r = '?'
		}
		if b.Len()+utf8.RuneLen(r) > max {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
