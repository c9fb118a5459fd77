package ubc

import (
	"bytes"
	"fmt"
)

// SyntaxError names the file, line and what is wrong, with a short,
// sanitised excerpt: error messages may end up in monitoring UIs, so they
// never carry more than a few dozen bytes of the file.
type SyntaxError struct {
	Source string
	Line   int
	Msg    string
	Text   string
}

func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Source, e.Msg)
	}
	if e.Text == "" {
		return fmt.Sprintf("%s line %d: %s", e.Source, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s line %d: %s: %q", e.Source, e.Line, e.Msg, e.Text)
}

// Excerpt returns at most 48 bytes of b as printable ASCII, leading blanks
// dropped and anything unprintable shown as '?'.
func Excerpt(b []byte) string {
	b = bytes.TrimLeft(b, " \t")
	const maxLen = 48
	cut := len(b) > maxLen
	if cut {
		b = b[:maxLen]
	}
	out := make([]byte, 0, len(b)+3)
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out = append(out, c)
	}
	if cut {
		out = append(out, "..."...)
	}
	return string(out)
}
