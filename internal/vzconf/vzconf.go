// Package vzconf reads vzctl's shell-style container configs
// (/etc/vz/conf/<id>.conf): KEY="value" lines, comments, blank lines.
package vzconf

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Config maps keys to values, quotes removed.
type Config map[string]string

// maxLine and maxKeys bound what a damaged or hostile file can cost.
const (
	maxLine = 64 << 10
	maxKeys = 4096
)

// Parse reads a config. source names the file in errors. A line that is
// not KEY=value is an error naming the line; values keep their text
// (callers sanitise before printing).
func Parse(r io.Reader, source string) (Config, error) {
	cfg := Config{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLine)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		key, val, ok := strings.Cut(text, "=")
		if !ok || !validKey(key) {
			return nil, fmt.Errorf("%s line %d: not KEY=value", source, line)
		}
		v, err := unquote(val)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %s: %w", source, line, key, err)
		}
		if len(cfg) >= maxKeys {
			return nil, fmt.Errorf("%s line %d: more than %d keys", source, line, maxKeys)
		}
		cfg[key] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s line %d: %w", source, line+1, err)
	}
	return cfg, nil
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i, c := range k {
		letter := c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// unquote handles the forms vzctl writes: "double" (with \" \\ \$ \`
// escapes), 'single', or a bare word, optionally followed by a comment.
func unquote(v string) (string, error) {
	switch {
	case strings.HasPrefix(v, `"`):
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			c := v[i]
			switch c {
			case '\\':
				if i+1 < len(v) && strings.IndexByte("\"\\$`", v[i+1]) >= 0 {
					i++
					c = v[i]
				}
			case '"':
				return b.String(), trailing(v[i+1:])
			}
			b.WriteByte(c)
		}
		return "", fmt.Errorf("unterminated double quote")
	case strings.HasPrefix(v, "'"):
		end := strings.IndexByte(v[1:], '\'')
		if end < 0 {
			return "", fmt.Errorf("unterminated single quote")
		}
		return v[1 : 1+end], trailing(v[2+end:])
	}
	word, rest, _ := strings.Cut(v, " ")
	return word, trailing(rest)
}

func trailing(rest string) error {
	rest = strings.TrimSpace(rest)
	if rest == "" || strings.HasPrefix(rest, "#") {
		return nil
	}
	return fmt.Errorf("unexpected text after the value")
}
