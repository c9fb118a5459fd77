// Package text makes text from files and flags (container names, config
// values, arguments) safe to print in plugin output.
package text

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Clean returns s with no line breaks or control bytes, no '|' (which
// starts perfdata), invalid UTF-8 replaced, and at most limit bytes plus
// "..." when cut.
func Clean(s string, limit int) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '|':
			r = '/'
		case r < 0x20 || r == 0x7f || r == utf8.RuneError || r >= 0x80 && r < 0xa0:
			r = '?'
		}
		if b.Len()+utf8.RuneLen(r) > limit {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Excerpt is a sample of a damaged file's bytes for an error message: at
// most 48 bytes of s as printable ASCII, leading blanks dropped and each
// unprintable byte, and '|' (which starts perfdata), shown as '?', so an
// excerpt is short and shows the damage byte by byte whatever the file
// holds.
func Excerpt(s string) string {
	b := bytes.TrimLeft([]byte(s), " \t")
	const maxLen = 48
	cut := len(b) > maxLen
	if cut {
		b = b[:maxLen]
	}
	out := make([]byte, 0, len(b)+3)
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '|' {
			c = '?'
		}
		out = append(out, c)
	}
	if cut {
		out = append(out, "..."...)
	}
	return string(out)
}
