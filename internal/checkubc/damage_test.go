package checkubc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
)

// A damaged table's excerpt cannot start the perfdata: a '|' in the file
// (a Markdown table pasted over it) is not copied into the UNKNOWN line.
func TestExcerptCannotStartPerfdata(t *testing.T) {
	root := t.TempDir()
	table := filepath.Join(root, "proc", "bc", "resources")
	if err := os.MkdirAll(filepath.Dir(table), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(table, []byte("| uid | resource | held |\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := checktest.Run(checkubc.New(), "--root", root)
	if code != 3 || strings.Count(out, "|") != 1 || !strings.Contains(out, `line 1: not the "Version: 2.5" header`) {
		t.Fatalf("exit %d, want UNKNOWN with one '|' (the perfdata's):\n%s", code, out)
	}
}
