package text_test

import (
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/text"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"web1":                             "web1",
		"a|b":                              "a/b",
		"x\ny\tz\x1b[31m":                  "x?y?z?[31m",
		"caf\xc3\xa9":                      "café",
		"bad\xff":                          "bad?",
		strings.Repeat("A", 70):            strings.Repeat("A", 64) + "...",
		"\u00e9" + strings.Repeat("B", 63): "\u00e9" + strings.Repeat("B", 62) + "...",
	} {
		if got := text.Clean(in, 64); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// An excerpt of a damaged file is short, ASCII, one '?' per unprintable
// byte or '|', without the leading blanks.
func TestExcerpt(t *testing.T) {
	for in, want := range map[string]string{
		"   secret\x00\x1b[31m":        "secret??[31m",
		"\tcaf\xc3\xa9":                "caf??",
		"| uid | resource |":           "? uid ? resource ?",
		strings.Repeat("x", 48):        strings.Repeat("x", 48),
		strings.Repeat("x", 49):        strings.Repeat("x", 48) + "...",
		"  " + strings.Repeat("y", 60): strings.Repeat("y", 48) + "...",
	} {
		if got := text.Excerpt(in); got != want {
			t.Errorf("Excerpt(%q) = %q, want %q", in, got, want)
		}
	}
}
