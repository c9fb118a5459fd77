package cmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
)

// Every package under internal/ is named in the README's Layout section,
// so a maintainer reading it meets no unexplained package.
func TestReadmeLayoutNamesEveryPackage(t *testing.T) {
	root := checktest.RepoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, layout, ok := strings.Cut(string(b), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no '## Layout' section")
	}
	if end := strings.Index(layout, "\n## "); end >= 0 {
		layout = layout[:end]
	}
	dirs, err := os.ReadDir(filepath.Join(root, "internal"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.IsDir() && !strings.Contains(layout, "internal/"+d.Name()+"/") {
			t.Errorf("internal/%s/ is not named in the README's Layout section", d.Name())
		}
	}
}
