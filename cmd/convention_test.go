package cmd_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every plugin's main.go stays thin: a few lines that hand over to
// internal/, importing only os, go-nagios and the suite's own packages.
func TestMainsAreThin(t *testing.T) {
	mains, _ := filepath.Glob("*/main.go")
	if len(mains) == 0 {
		t.Fatal("no cmd/*/main.go found")
	}
	for _, m := range mains {
		src, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(src), "\n"); n > 30 {
			t.Errorf("%s has %d lines; move logic to internal/", m, n)
		}
		f, err := parser.ParseFile(token.NewFileSet(), m, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if p != "os" && p != "github.com/atc0005/go-nagios" && !strings.HasPrefix(p, "github.com/vzmon/vzmon/internal/") {
				t.Errorf("%s imports %s", m, p)
			}
		}
		if strings.Contains(string(src), "os.Exit") {
			t.Errorf("%s calls os.Exit; go-nagios owns the exit", m)
		}
	}
}
