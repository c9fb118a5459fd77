package ubc

import "fmt"

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
